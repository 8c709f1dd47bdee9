/**
 * Training-time matching losses ({@link dev.distill.api.Matcher}): hard labels ({@link
 * dev.distill.core.match.HardLabelMatcher}) and a frozen teacher's soft labels on the same
 * augmented view ({@link dev.distill.core.match.SoftLabelMatcher}).
 *
 * @since 0.1.0
 */
package dev.distill.core.match;
