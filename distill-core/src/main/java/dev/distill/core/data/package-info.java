/**
 * Labelled image datasets read per class in batches ({@link dev.distill.core.data.Dataset}: the
 * in-memory {@link dev.distill.core.data.LabeledImages}, the lazily decoded {@link
 * dev.distill.core.data.ImageFolderDataset}, the bundled Fashion-MNIST), the explicit class order
 * ({@link dev.distill.core.data.ClassIndex}) and the one resolution policy ({@link
 * dev.distill.core.data.ImageTransforms}).
 *
 * @since 0.1.0
 */
package dev.distill.core.data;
