/**
 * Diffusion schedulers shared by the SDXL pipeline and the built-in model, driven by diffusers'
 * {@code scheduler_config.json}: Euler discrete, Euler ancestral, DDIM, DPM-Solver++ 2M.
 *
 * <p>A {@link dev.distill.core.scheduler.Scheduler} is immutable configuration; {@link
 * dev.distill.core.scheduler.Scheduler#start} returns a {@link
 * dev.distill.core.scheduler.SchedulerRun} that holds the per-run state (timesteps, sigmas, step
 * index, multistep history).
 *
 * @since 0.1.0
 */
package dev.distill.core.scheduler;
