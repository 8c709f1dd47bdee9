/**
 * Diffusion schedulers shared by the SDXL pipeline and the built-in model, faithful to diffusers
 * v0.27 and driven by its {@code scheduler_config.json}: {@link
 * dev.distill.core.scheduler.EulerDiscreteScheduler}, {@link
 * dev.distill.core.scheduler.EulerAncestralDiscreteScheduler}, {@link
 * dev.distill.core.scheduler.DdimScheduler} and {@link
 * dev.distill.core.scheduler.DpmSolverMultistepScheduler} (DPM++ 2M, Karras).
 *
 * <p>Build one with {@link dev.distill.core.scheduler.Schedulers#fromConfig(java.nio.file.Path)}
 * (or from another scheduler's config, as diffusers' {@code from_config}). A {@link
 * dev.distill.core.scheduler.Scheduler} is immutable configuration; {@link
 * dev.distill.core.scheduler.Scheduler#start} returns a {@link
 * dev.distill.core.scheduler.SchedulerRun} that holds the per-run state (timesteps, sigmas, step
 * index, multistep history) and is closed after the sampling loop:
 *
 * <pre>{@code
 * try (SchedulerRun run = scheduler.start(30)) {
 *   Tensor x = noise.mul(new Scalar(run.initNoiseSigma()));
 *   while (run.numSteps() > 0) {
 *     try (TensorScope step = TensorScope.open()) {
 *       double t = run.timesteps().get(run.stepIndex());
 *       Tensor eps = unet.forward(run.scaleModelInput(x), t, cond);
 *       x = step.keep(run.step(eps, x, noiseSource).prevSample());
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Timesteps, sigmas and ᾱ reproduce diffusers' values exactly (its numpy and torch float32
 * arithmetic is replayed); the golden-parity harness of distill-sdxl ({@code
 * dev.distill.sdxl.parity.ParityCheck}) checks every scheduler against a fixture file written by
 * diffusers.
 *
 * @since 0.1.0
 */
package dev.distill.core.scheduler;
