/**
 * Clustering for mode and prototype discovery: {@link dev.distill.core.cluster.KMeans} (k-means++
 * seeding, restarts, Lloyd iterations on LibTorch tensors), its {@link
 * dev.distill.core.cluster.KMeansConfig} and {@link dev.distill.core.cluster.KMeansResult}.
 *
 * <p>D4M uses the per-class centroids as prototype latents; Mode-Guided uses them (or the closest
 * real sample, {@link dev.distill.core.cluster.KMeans#nearestMembers}) as the modes its guidance
 * steers toward.
 *
 * @since 0.1.0
 */
package dev.distill.core.cluster;
