/**
 * Training-time matching losses ({@link dev.distill.api.Matcher}): hard labels ({@link
 * dev.distill.core.match.HardLabelMatcher}) and a frozen teacher's soft labels on the same
 * augmented view ({@link dev.distill.core.match.SoftLabelMatcher}) or stored with the set, without
 * the teacher ({@link dev.distill.core.match.StoredSoftLabelMatcher}), and matching by training
 * behaviour: per-class gradient statistics on the synthetic batch against a small real training
 * split ({@link dev.distill.core.match.GradientStatisticsMatcher}, a {@link
 * dev.distill.core.match.StudentMatcher}).
 *
 * @since 0.1.0
 */
package dev.distill.core.match;
