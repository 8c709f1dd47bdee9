/**
 * Guidance terms and strength schedules that work with any {@link dev.distill.api.Sampler}: mode
 * guidance with stop guidance (MGD³ / CoDA), schedules s(t), and decorators that rescale or stop a
 * term; and {@link dev.distill.core.guidance.GuidanceStep}, the one guidance step (terms,
 * strengths, checks, one autograd call, ε̂ update) that every sampler calls, with its lazy,
 * package-private guidance context.
 *
 * @since 0.1.0
 */
package dev.distill.core.guidance;
