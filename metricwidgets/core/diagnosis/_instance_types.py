"""How many vCPUs and GPUs an instance has, to read summed utilization per device.

SageMaker reports ``CPUUtilization`` summed over the instance's vCPUs and ``GPUUtilization``
/ ``GPUMemoryUtilization`` summed over its GPUs (400 % is four busy GPUs); memory and disk
are 0-100 % of the whole instance (docs/sagemaker.md, "Instance utilization"). To show
"per device" figures we need the counts: vCPUs follow the size suffix for every ``ml.*``
family (``large`` 2, ``xlarge`` 4, ``Nxlarge`` 4N), GPUs come from a small table of the
common GPU types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LABELS", "SUMMED_OVER", "UTILIZATION_METRICS", "Devices", "devices_of"]

#: The instance metrics SageMaker publishes per host, in the order the panel shows them.
UTILIZATION_METRICS = ("CPUUtilization", "MemoryUtilization", "DiskUtilization",
                       "GPUUtilization", "GPUMemoryUtilization")
#: Metrics reported as a sum over devices, and which device count divides them.
SUMMED_OVER = {"CPUUtilization": "vcpus", "GPUUtilization": "gpus",
               "GPUMemoryUtilization": "gpus"}
#: Short titles for charts and findings.
LABELS = {"CPUUtilization": "CPU", "MemoryUtilization": "memory", "DiskUtilization": "disk",
          "GPUUtilization": "GPU", "GPUMemoryUtilization": "GPU memory"}

#: GPUs per instance of the common GPU types (every other size of these families: unknown).
_GPUS = {
    "ml.p2.xlarge": 1, "ml.p2.8xlarge": 8, "ml.p2.16xlarge": 16,
    "ml.p3.2xlarge": 1, "ml.p3.8xlarge": 4, "ml.p3.16xlarge": 8, "ml.p3dn.24xlarge": 8,
    "ml.p4d.24xlarge": 8, "ml.p4de.24xlarge": 8, "ml.p5.48xlarge": 8,
    "ml.g4dn.xlarge": 1, "ml.g4dn.2xlarge": 1, "ml.g4dn.4xlarge": 1, "ml.g4dn.8xlarge": 1,
    "ml.g4dn.12xlarge": 4, "ml.g4dn.16xlarge": 1,
    "ml.g5.xlarge": 1, "ml.g5.2xlarge": 1, "ml.g5.4xlarge": 1, "ml.g5.8xlarge": 1,
    "ml.g5.12xlarge": 4, "ml.g5.16xlarge": 1, "ml.g5.24xlarge": 4, "ml.g5.48xlarge": 8,
    "ml.g6.xlarge": 1, "ml.g6.2xlarge": 1, "ml.g6.4xlarge": 1, "ml.g6.8xlarge": 1,
    "ml.g6.12xlarge": 4, "ml.g6.16xlarge": 1, "ml.g6.24xlarge": 4, "ml.g6.48xlarge": 8,
}
#: Families without GPUs (their GPU count is 0, not unknown).
_CPU_FAMILIES = {"m4", "m5", "m5d", "m6i", "m7i", "c4", "c5", "c5n", "c6i", "c7i",
                 "r5", "r5d", "r6i", "t3"}
_GPU_FAMILIES = {"p2", "p3", "p3dn", "p4d", "p4de", "p5", "g4dn", "g5", "g6"}
_TYPE = re.compile(r"ml\.([a-z0-9]+)\.(large|medium|(\d*)xlarge)$")


@dataclass(frozen=True)
class Devices:
    """The device counts of one instance (None: unknown).

    Attributes
    ----------
    vcpus, gpus : int or None
    described : str
        What the counts are, for a label: ``"ml.p3.8xlarge: 32 vCPUs, 4 GPUs"``, or why
        they are unknown.
    """

    vcpus: int | None
    gpus: int | None
    described: str

    def count(self, metric: str) -> int | None:
        """The divisor that makes ``metric`` per device (1 for metrics not summed;
        None when the count is unknown, or 0 GPUs)."""
        kind = SUMMED_OVER.get(metric)
        if kind is None:
            return 1
        count = self.vcpus if kind == "vcpus" else self.gpus
        return count or None

    def unit(self, metric: str, per_device: bool) -> str:
        """The y-axis words for ``metric``: what 100 % means in the figure shown."""
        kind = SUMMED_OVER.get(metric)
        if kind is None:
            return "% of the instance"
        word = "vCPU" if kind == "vcpus" else "GPU"
        count = self.count(metric)
        if per_device and count:
            return f"% per {word} (reported / {count})"
        many = f"{count} {word}s" if count else f"all {word}s"
        return f"% summed over {many} (as reported)"


def devices_of(instance_type: str | None) -> Devices:
    """The counts of an ``ml.*`` instance type (unknown parts are None, and said so)."""
    if not instance_type:
        return Devices(None, None, "instance type unknown: figures as reported")
    match = _TYPE.match(instance_type)
    if not match or match.group(1) not in _CPU_FAMILIES | _GPU_FAMILIES:
        return Devices(None, None, f"{instance_type}: not in the table of instance types, "
                                   "figures as reported")
    family, size, factor = match.groups()
    vcpus = {"medium": 1, "large": 2}.get(size) or 4 * int(factor or 1)
    gpus = 0 if family in _CPU_FAMILIES else _GPUS.get(instance_type)
    gpu_words = ("no GPU" if gpus == 0 else "GPU count unknown" if gpus is None
                 else f"{gpus} GPU" + "s" * (gpus > 1))
    return Devices(vcpus, gpus, f"{instance_type}: {vcpus} vCPUs, {gpu_words}")
