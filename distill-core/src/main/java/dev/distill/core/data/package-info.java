/**
 * Labelled image datasets read per class in batches ({@link dev.distill.core.data.Dataset}: the
 * in-memory {@link dev.distill.core.data.LabeledImages}, the lazily decoded {@link
 * dev.distill.core.data.ImageFolderDataset}, the bundled Fashion-MNIST, COCO-format detection and
 * segmentation data in {@link dev.distill.core.data.CocoDataset}), the explicit class order ({@link
 * dev.distill.core.data.ClassIndex}), the one resolution policy ({@link
 * dev.distill.core.data.ImageTransforms}), and the synthetic "Fashion-MNIST scenes" of real
 * garments composed onto canvases with exact boxes and masks ({@link
 * dev.distill.core.data.FashionMnistScenes}).
 *
 * @since 0.1.0
 */
package dev.distill.core.data;
