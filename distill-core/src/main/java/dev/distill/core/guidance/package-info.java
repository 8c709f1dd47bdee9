/**
 * Guidance terms and strength schedules that work with any {@link dev.distill.api.Sampler}: mode
 * guidance with stop guidance (MGD³ / CoDA), schedules s(t), and decorators that rescale or stop a
 * term.
 *
 * @since 0.1.0
 */
package dev.distill.core.guidance;
