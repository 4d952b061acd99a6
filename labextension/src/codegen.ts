/**
 * The code the sidebar puts into notebooks, with every value quoted.
 *
 * A line magic is read twice before our parser sees it: IPython first expands `{expr}`
 * and `$name` in the line (running code), then `%metrics` splits the rest the way a POSIX
 * shell does (Python's `shlex.split`). Values are quoted for both readers here; values
 * that cannot travel on one line are refused.
 */

/** The line that loads the magics; inserted once per notebook. */
export const LOAD_EXT = '%load_ext metricwidgets';

/** Characters a shell word may hold unquoted (none of them special to IPython). */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Characters that end a line for IPython (`str.splitlines`) or are control codes. */
const LINE_BREAKING = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/**
 * `value` as one word for `shlex.split` (POSIX mode): as is when it is plain, else in
 * single quotes (inside which nothing is special), an embedded `'` written as `'"'"'`.
 */
export function shellQuote(value: string): string {
  if (SAFE_WORD.test(value)) {
    return value;
  }
  return `'${value.replace(/'/g, "'\"'\"'")}'`;
}

/**
 * Protect a shell-quoted word from IPython's variable expansion.
 *
 * Braces are doubled (`str.format` reads `{{` as `{`); each `$` is put between double
 * quotes (`'"$"'`), where IPython's `$name` pattern cannot match (a `"` follows it) and
 * `shlex` keeps it literal.
 */
function protectFromExpansion(word: string): string {
  const braces = word.replace(/[{}]/g, brace => brace + brace);
  if (!braces.includes('$')) {
    return braces;
  }
  // a word with `$` is always single-quoted by shellQuote (`$` is not SAFE_WORD)
  return braces.replace(/\$/g, '\'"$"\'');
}

/**
 * A line magic calling `magic` with `args`, each read back by the magic exactly as given.
 *
 * @throws {Error} when a value holds a line break or a control character
 */
export function magicLine(magic: string, args: readonly string[]): string {
  const words = args.map(arg => {
    if (LINE_BREAKING.test(arg)) {
      throw new Error(
        `${JSON.stringify(arg)} contains a line break or a control character: ` +
          'it cannot be put into a magic'
      );
    }
    return protectFromExpansion(shellQuote(arg));
  });
  return [`%${magic}`, ...words].join(' ');
}

/**
 * `text` as a Python string literal made of printable ASCII only (every other character
 * escaped), so that it neither ends the line nor changes how IPython reads the cell.
 */
export function pyString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === '"' || char === '\\') {
      out += '\\' + char;
    } else if (code >= 0x20 && code < 0x7f) {
      out += char;
    } else if (code <= 0xffff) {
      out += '\\u' + code.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + code.toString(16).padStart(8, '0');
    }
  }
  return out + '"';
}

/** A value the magic's argument parser would take for an option. */
function refuseOptionLike(value: string): void {
  if (value.startsWith('-')) {
    throw new Error(
      `${JSON.stringify(value)} starts with "-": it cannot be a job name`
    );
  }
}

/** Where the magic reaches AWS: each field that is set becomes its flag. */
export interface IAwsFlags {
  region?: string;
  profile?: string;
  endpointUrl?: string;
}

/** `--region R --profile P --endpoint-url URL`, for the fields that are set. */
function awsArgs(aws: IAwsFlags): string[] {
  const pairs: [string, string | undefined][] = [
    ['--region', aws.region],
    ['--profile', aws.profile],
    ['--endpoint-url', aws.endpointUrl]
  ];
  return pairs.flatMap(([flag, value]) => (value ? [flag, value] : []));
}

/**
 * The cell that plots a job live: `%metrics JOB`, then the AWS flags that `aws` sets
 * (where the sidebar listed the job), each value quoted.
 */
export function metricsCode(job: string, aws: IAwsFlags = {}): string {
  refuseOptionLike(job);
  return magicLine('metrics', [job, ...awsArgs(aws)]);
}

/** The cell that plots a tuning job live: `%metrics --tuning-job NAME` and the AWS flags. */
export function tuningMetricsCode(
  tuningJob: string,
  aws: IAwsFlags = {}
): string {
  refuseOptionLike(tuningJob);
  return magicLine('metrics', ['--tuning-job', tuningJob, ...awsArgs(aws)]);
}

/**
 * The cell that overlays several jobs in one live chart: `%metrics --compare JOB...`,
 * the jobs in the order given, each quoted as in {@link metricsCode}, then the AWS flags
 * that `aws` sets (quoted like every value).
 *
 * @throws {Error} when no job is given, or a name or value could not travel (see magicLine)
 */
export function compareMetricsCode(
  jobs: readonly string[],
  aws: IAwsFlags = {}
): string {
  if (!jobs.length) {
    throw new Error('no job to compare');
  }
  jobs.forEach(refuseOptionLike);
  return magicLine('metrics', ['--compare', ...jobs, ...awsArgs(aws)]);
}

/**
 * The cell that opens the regex playground on a job's logs, with `region=`, `profile=`
 * and `endpoint_url=` for the fields `aws` sets (Python string literals).
 */
export function playgroundCode(job: string, aws: IAwsFlags = {}): string {
  const keywords: [string, string | undefined][] = [
    ['region', aws.region],
    ['profile', aws.profile],
    ['endpoint_url', aws.endpointUrl]
  ];
  const args = [
    pyString(job),
    ...keywords.flatMap(([key, value]) =>
      value ? [`${key}=${pyString(value)}`] : []
    )
  ];
  return `import metricwidgets\nmetricwidgets.RegexPlayground.from_job(${args.join(', ')})`;
}
