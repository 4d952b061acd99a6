import { LabIcon } from '@jupyterlab/ui-components';

import chartSvg from '../style/icons/training-jobs.svg';

/** The sidebar's icon: a rising metric curve over a chart frame. */
export const trainingJobsIcon = new LabIcon({
  name: 'metricwidgets:training-jobs',
  svgstr: chartSvg
});
