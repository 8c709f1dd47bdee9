package dev.distill.spark;

/**
 * Where a task's sampler runs.
 *
 * @since 0.1.0
 */
public enum DeviceChoice {
  /**
   * The GPU Spark assigned to the task ({@code TaskContext.resources().get("gpu")}), else the CPU.
   */
  AUTO,
  /** Always the CPU, even when Spark assigned a GPU. */
  CPU,
  /** The GPU Spark assigned to the task, else CUDA device 0; fails where there is no CUDA. */
  CUDA
}
