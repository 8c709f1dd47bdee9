/**
 * Per-image annotations for detection and segmentation: boxes with category ids (optionally with
 * instance masks), per-pixel semantic masks, and the categories they refer to.
 *
 * <p>Conventions, shared by every reader and writer of distill:
 *
 * <ul>
 *   <li>Coordinates are pixels of the image the annotation belongs to, origin at the top-left
 *       corner, {@code x} to the right, {@code y} down; a box is {@code [x, y, width, height]} as
 *       in COCO's {@code bbox}, and covers the pixels {@code x <= px < x + width}.
 *   <li>Category ids are COCO-style: positive integers in {@code [1, 254]} ({@link
 *       dev.distill.api.annotation.Category#MIN_ID}..{@link
 *       dev.distill.api.annotation.Category#MAX_ID}), not necessarily contiguous.
 *   <li>A semantic mask holds, per pixel, a category id, {@link
 *       dev.distill.api.annotation.Category#BACKGROUND} ({@code 0}) for background, or {@link
 *       dev.distill.api.annotation.Category#IGNORE} ({@code 255}) for pixels that no metric counts
 *       (the PASCAL VOC convention, which is why ids stop at 254: masks are 8-bit PNGs).
 *   <li>An instance mask is binary: {@code 1} where the object is, {@code 0} elsewhere.
 * </ul>
 *
 * <p>Every type here is immutable and validates its arguments, throwing {@link
 * IllegalArgumentException} with the bad value; none holds logic beyond that. {@code
 * dev.distill.core.io.DistilledSetIO} saves them as COCO {@code instances.json} plus PNG masks and
 * {@code dev.distill.core.data.CocoDataset} reads user datasets in that format.
 *
 * @since 0.1.0
 */
package dev.distill.api.annotation;
