// Unit tests of the parts that need no running JupyterLab: the model and the generated
// code. ts-jest compiles them to CommonJS; @lumino packages ship CommonJS builds.
module.exports = {
  testEnvironment: 'node',
  testRegex: 'src/.*/__tests__/.*\\.spec\\.ts$|src/__tests__/.*\\.spec\\.ts$',
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          target: 'ES2020',
          lib: ['DOM', 'ES2020'],
          strict: true,
          esModuleInterop: true,
          types: ['jest']
        }
      }
    ]
  }
};
