import { requestAPI } from './request';

/** One training job of a `jobs` page. Times are ISO-8601 UTC strings. */
export interface IJobSummary {
  name: string;
  arn?: string | null;
  status: string;
  secondary_status?: string | null;
  creation_time?: string | null;
  end_time?: string | null;
  last_modified_time?: string | null;
}

/** A page of training jobs, newest first. */
export interface IJobPage {
  jobs: IJobSummary[];
  next_token: string | null;
}

/** Filters of a `jobs` request. */
export interface IJobQuery {
  name?: string;
  status?: string;
  next_token?: string | null;
  page_size?: number;
}

/**
 * Fetch one page of the account's training jobs, newest first.
 *
 * @param query - name filter, status filter, paging token, page size
 */
export function listJobs(query: IJobQuery = {}): Promise<IJobPage> {
  return requestAPI<IJobPage>('jobs', { ...query });
}
