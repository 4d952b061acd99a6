import {
  compareMetricsCode,
  magicLine,
  metricsCode,
  playgroundCode,
  pyString,
  shellQuote,
  tuningMetricsCode
} from '../codegen';
import { invalidNameReason } from '../names';

/** Names a hostile or broken endpoint could list. */
const HOSTILE = [
  'job\nimport os; os.system("id")',
  'job\r!touch pwned',
  'job\u2028!touch pwned',
  "job'; import os #",
  'job {__import__("os").system("id")}',
  'job $HOME $$x',
  "a$x'b",
  'job; rm -rf ~',
  '--tuning-job',
  ''
];

describe('shellQuote', () => {
  it('leaves plain SageMaker names as they are', () => {
    expect(shellQuote('my-job-001')).toBe('my-job-001');
  });

  it('single-quotes anything else, embedded quotes included', () => {
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a;b')).toBe("'a;b'");
  });
});

describe('magicLine', () => {
  it('doubles braces and puts each $ between double quotes', () => {
    expect(magicLine('metrics', ['{x}'])).toBe("%metrics '{{x}}'");
    expect(magicLine('metrics', ['$x'])).toBe(`%metrics ''"$"'x'`);
  });

  it.each(['a\nb', 'a\rb', 'a\u2028b', 'a\u0000b', 'a\tb'])(
    'refuses a value that would end the line: %j',
    value => {
      expect(() => magicLine('metrics', [value])).toThrow(/line break/);
    }
  );
});

describe('metricsCode', () => {
  it('is %metrics NAME for a SageMaker name', () => {
    expect(metricsCode('digits-2024-01-01')).toBe('%metrics digits-2024-01-01');
    expect(tuningMetricsCode('hpo-1')).toBe('%metrics --tuning-job hpo-1');
  });

  it.each(HOSTILE)('never gives a hostile name a second line: %j', name => {
    let code: string;
    try {
      code = metricsCode(name);
    } catch (error) {
      expect(String(error)).toMatch(/line break|cannot be a job name/);
      return;
    }
    expect(code.split(/[\n\r\u2028\u2029\u0085]/)).toHaveLength(1);
    expect(code.startsWith('%metrics ')).toBe(true);
    // nothing IPython would expand: every brace doubled, no $ followed by a name
    expect(code.replace(/\{\{|\}\}/g, '')).not.toMatch(/[{}]/);
    expect(code).not.toMatch(/\$[\w.$]/);
  });
});

describe('compareMetricsCode', () => {
  // tests/labextension/test_generated_code.py reads these cells back through a real
  // IPython shell and shlex; here, their shape: each job quoted as the one-job cell does.
  const quotedAsAlone = (jobs: string[]) =>
    ['%metrics --compare', ...jobs.map(job => metricsCode(job).slice(9))].join(
      ' '
    );
  it('is %metrics --compare with the jobs in the order given', () => {
    expect(compareMetricsCode(['baseline', 'variant-1', 'variant-2'])).toBe(
      '%metrics --compare baseline variant-1 variant-2'
    );
  });

  it('keeps every one of many jobs, in order, on one line', () => {
    const jobs = Array.from(
      { length: 300 },
      (_, i) => `run-${i}-${'x'.repeat(i % 50)}`
    );
    const code = compareMetricsCode(jobs);
    expect(code.split('\n')).toHaveLength(1);
    expect(code).toBe(`%metrics --compare ${jobs.join(' ')}`);
  });

  it('keeps valid SageMaker names that look like something else', () => {
    const jobs = [
      'a--region',
      '1e5',
      'nan',
      'None',
      '0',
      'x'.repeat(63),
      'A--b-C'
    ];
    expect(jobs.map(invalidNameReason)).toEqual(jobs.map(() => null));
    const code = compareMetricsCode(jobs);
    expect(code).toBe(`%metrics --compare ${jobs.join(' ')}`);
  });

  it('quotes names no SageMaker would list, each read back as given', () => {
    const jobs = ["it's", 'a b', '{x}', 'semi;colon', '*', '~home', 'x"y', 'é'];
    const code = compareMetricsCode(jobs);
    expect(code.split('\n')).toHaveLength(1);
    expect(code.replace(/\{\{|\}\}/g, '')).not.toMatch(/[{}]/);
    expect(code).toBe(quotedAsAlone(jobs));
  });

  it("puts each $ out of IPython's reach", () => {
    const code = compareMetricsCode(['ok', '$HOME', 'a$x']);
    expect(code).not.toMatch(/\$[\w.$]/);
    expect(code).toBe(`%metrics --compare ok ''"$"'HOME' 'a'"$"'x'`);
  });

  it.each(HOSTILE)(
    'refuses or defuses a hostile name among others: %j',
    name => {
      let code: string;
      try {
        code = compareMetricsCode(['good-1', name, 'good-2']);
      } catch (error) {
        expect(String(error)).toMatch(/line break|cannot be a job name/);
        return;
      }
      expect(code.split(/[\n\r\u2028\u2029\u0085]/)).toHaveLength(1);
      expect(code.startsWith('%metrics --compare good-1 ')).toBe(true);
      expect(code.endsWith(' good-2')).toBe(true);
      expect(code.replace(/\{\{|\}\}/g, '')).not.toMatch(/[{}]/);
      expect(code).not.toMatch(/\$[\w.$]/);
      expect(code).toBe(quotedAsAlone(['good-1', name, 'good-2']));
    }
  );

  it('adds the AWS flags that are set, each value quoted', () => {
    expect(
      compareMetricsCode(['a', 'b'], {
        region: 'eu-west-1',
        endpointUrl: 'http://127.0.0.1:5000'
      })
    ).toBe(
      '%metrics --compare a b --region eu-west-1 --endpoint-url http://127.0.0.1:5000'
    );
    expect(compareMetricsCode(['a'], { profile: "team's {x}" })).toBe(
      `%metrics --compare a --profile 'team'"'"'s {{x}}'`
    );
    expect(() => compareMetricsCode(['a'], { region: 'eu\n!id' })).toThrow(
      /line break/
    );
  });

  it('refuses no jobs, and a name the parser would take for an option', () => {
    expect(() => compareMetricsCode([])).toThrow(/no job/);
    expect(() => compareMetricsCode(['a', '--region'])).toThrow(
      /cannot be a job name/
    );
  });
});

describe('the AWS settings of the listed job travel with every cell', () => {
  const aws = {
    region: 'eu-west-1',
    profile: "team's",
    endpointUrl: 'http://127.0.0.1:5000'
  };
  it('writes them after the job in %metrics JOB and --tuning-job', () => {
    expect(metricsCode('job-1', aws)).toBe(
      `%metrics job-1 --region eu-west-1 --profile 'team'"'"'s' --endpoint-url http://127.0.0.1:5000`
    );
    expect(tuningMetricsCode('hpo-1', { region: 'eu-west-1' })).toBe(
      '%metrics --tuning-job hpo-1 --region eu-west-1'
    );
    expect(metricsCode('job-1')).toBe('%metrics job-1');
  });

  it("passes them as the playground's keywords, as Python literals", () => {
    expect(playgroundCode('job-1', aws)).toBe(
      'import metricwidgets\nmetricwidgets.RegexPlayground.from_job("job-1", ' +
        'region="eu-west-1", profile="team\'s", endpoint_url="http://127.0.0.1:5000")'
    );
    expect(playgroundCode('job-1', { region: 'a"\nb' })).toBe(
      'import metricwidgets\nmetricwidgets.RegexPlayground.from_job("job-1", ' +
        'region="a\\"\\u000ab")'
    );
  });
});

describe('pyString', () => {
  it('is a printable-ASCII Python literal whatever the text', () => {
    expect(pyString('job')).toBe('"job"');
    expect(pyString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(pyString('a\nb\u2028c')).toBe('"a\\u000ab\\u2028c"');
    expect(pyString('\u{1F600}')).toBe('"\\U0001f600"');
  });

  it.each(HOSTILE)('keeps the playground cell to two lines: %j', name => {
    const code = playgroundCode(name);
    expect(code.split(/[\n\r\u2028\u2029\u0085]/)).toHaveLength(2);
    // eslint-disable-next-line no-control-regex
    expect(code).toMatch(/^[\x20-\x7e\n]*$/);
  });
});

describe('invalidNameReason', () => {
  it('accepts names SageMaker accepts', () => {
    for (const name of ['a', 'A1', 'job-1', 'a--b', 'x'.repeat(63)]) {
      expect(invalidNameReason(name)).toBeNull();
    }
  });

  it.each(HOSTILE)('refuses a hostile name with a reason: %j', name => {
    expect(invalidNameReason(name)).toMatch(/name/);
  });

  it('says why', () => {
    expect(invalidNameReason('a\nb')).toMatch(/line break/);
    expect(invalidNameReason('x'.repeat(64))).toMatch(/64 characters/);
    expect(invalidNameReason('-a')).toMatch(/letters, digits and hyphens/);
    expect(invalidNameReason('a-')).toMatch(/letters, digits and hyphens/);
  });
});
