/**
 * Task metrics for detection and segmentation, computed on the CPU from annotation value types:
 * COCO-style mean average precision ({@link dev.distill.task.metric.DetectionMetrics}) and mean
 * intersection over union ({@link dev.distill.task.metric.SegmentationMetrics}).
 *
 * <p>Both follow the reference definitions (pycocotools' {@code COCOeval} for boxes, the PASCAL
 * VOC/Cityscapes confusion-matrix mIoU for masks) and document every choice that the references
 * leave to the implementation: tie breaking, classes without ground truth, ignored pixels.
 *
 * @since 0.1.0
 */
package dev.distill.task.metric;
