import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** The server extension's URL namespace, under the server's base URL. */
export const NAMESPACE = 'metricwidgets';

/**
 * A failed call to the server extension, carrying its JSON error.
 *
 * `code` is the server's short category: `credentials`, `permission`, `not-found`,
 * `throttled`, `unreachable`, `timeout`, `input`, `invalid-name`, or `network` when the server itself did not answer.
 */
export class ApiError extends Error {
  /**
   * @param hint - the server's advice (how to configure credentials, ...), if any
   * @param retryAfter - seconds the server asked to wait (`Retry-After`), if any
   */
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly hint: string | null = null,
    readonly retryAfter: number | null = null
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Call `GET <base_url>/metricwidgets/<endpoint>` and return its JSON.
 *
 * Every server call of the extension goes through here: `ServerConnection.makeRequest`
 * adds the token and the XSRF cookie the way the rest of JupyterLab does.
 *
 * @param endpoint - the path under the namespace, e.g. `jobs` or `jobs/my-job`
 * @param query - query parameters; empty values are left out
 * @throws {ApiError} on any failure, with the server's message
 */
export async function requestAPI<T>(
  endpoint: string,
  query: Record<string, string | number | undefined | null> = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(key, String(value));
    }
  }
  const search = params.toString();
  const url =
    URLExt.join(settings.baseUrl, NAMESPACE, endpoint) +
    (search ? `?${search}` : '');
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      { method: 'GET' },
      settings
    );
  } catch (error) {
    throw new ApiError(
      `The Jupyter server could not be reached (${error}).`,
      0,
      'network'
    );
  }
  const text = await response.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message =
      (body && (body.message || body.reason)) ||
      `${response.status} ${response.statusText || 'error'}`;
    const retryAfter = Number(response.headers.get('Retry-After'));
    throw new ApiError(
      message,
      response.status,
      (body && body.code) || 'http',
      (body && body.hint) || null,
      retryAfter > 0 ? retryAfter : null
    );
  }
  return body as T;
}
