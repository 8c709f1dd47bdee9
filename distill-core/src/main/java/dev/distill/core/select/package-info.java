/**
 * Coreset baselines that every distilled set is compared with: {@link
 * dev.distill.core.select.RandomSelection} (the random real subset of the same IPC) and {@link
 * dev.distill.core.select.HerdingSelection} (Welling's herding in an embedding space), both behind
 * {@link dev.distill.core.select.SubsetSelector} and returning a {@link
 * dev.distill.core.select.SelectionResult} of indices per class.
 *
 * @since 0.1.0
 */
package dev.distill.core.select;
