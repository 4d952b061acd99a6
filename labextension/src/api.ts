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
  /** Why the server found the name invalid (null for a SageMaker name). */
  invalid_reason?: string | null;
}

/**
 * Where the server finds the jobs it lists: its region (configured, else the one boto3
 * resolved), profile and endpoint; null when unset. The cells the sidebar writes pass
 * them on, so a kernel with another default region plots the listed job.
 */
export interface IAwsSettings {
  region?: string | null;
  profile?: string | null;
  endpoint_url?: string | null;
}

/** A page of training jobs, newest first. */
export interface IJobPage {
  jobs: IJobSummary[];
  next_token: string | null;
  aws?: IAwsSettings;
}

/** One hyperparameter tuning job of a `tuning-jobs` page. */
export interface ITuningJobSummary {
  name: string;
  status: string;
  strategy?: string | null;
  creation_time?: string | null;
  end_time?: string | null;
  counts?: Record<string, number>;
  invalid_reason?: string | null;
}

/** A page of tuning jobs, newest first. */
export interface ITuningJobPage {
  tuning_jobs: ITuningJobSummary[];
  next_token: string | null;
  aws?: IAwsSettings;
}

/** A tuning job with its child training jobs. */
export interface ITuningJob extends ITuningJobSummary {
  children: IJobSummary[];
}

/** Filters of a `jobs` or `tuning-jobs` request. */
export interface IJobQuery {
  name?: string;
  status?: string;
  next_token?: string | null;
  page_size?: number;
}

/** Where the model gets its data: the server extension, or a stand-in in tests. */
export interface IJobsSource {
  listJobs(query: IJobQuery): Promise<IJobPage>;
  listTuningJobs(query: IJobQuery): Promise<ITuningJobPage>;
  describeTuningJob(name: string): Promise<ITuningJob>;
}

/** The server extension's endpoints. */
export const serverSource: IJobsSource = {
  listJobs: query => requestAPI<IJobPage>('jobs', { ...query }),
  listTuningJobs: query =>
    requestAPI<ITuningJobPage>('tuning-jobs', { ...query }),
  describeTuningJob: name =>
    requestAPI<ITuningJob>(`tuning-jobs/${encodeURIComponent(name)}`)
};
