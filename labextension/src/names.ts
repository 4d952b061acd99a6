/**
 * SageMaker's own pattern for training and tuning job names: letters, digits and
 * hyphens, starting and ending with a letter or digit, at most 63 characters.
 *
 * The sidebar acts only on names that match it: a name that does not (possible from any
 * endpoint the user points at) is shown as invalid and never put into a notebook.
 */
export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/**
 * Why `name` is not a valid SageMaker job name, or null when it is one.
 */
export function invalidNameReason(name: unknown): string | null {
  if (typeof name !== 'string' || name === '') {
    return 'the name is empty';
  }
  if (name.length > 63) {
    return `the name has ${name.length} characters (SageMaker allows 63)`;
  }
  if (JOB_NAME_PATTERN.test(name)) {
    return null;
  }
  if (/[\p{Cc}\p{Zl}\p{Zp}]/u.test(name)) {
    return 'the name contains a line break or a control character';
  }
  return (
    'the name is not a SageMaker job name (only letters, digits and ' +
    'hyphens, starting and ending with a letter or digit)'
  );
}
