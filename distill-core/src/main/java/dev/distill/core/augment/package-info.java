/**
 * Differentiable augmentation: {@link dev.distill.core.augment.Dsa}, the Differentiable Siamese
 * Augmentation of Zhao &amp; Bilen (ICML 2021) used by DSA, DM, MTT and the ECCV-2024 challenge
 * evaluator to train students on tiny synthetic sets.
 *
 * @since 0.1.0
 */
package dev.distill.core.augment;
