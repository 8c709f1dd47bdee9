/**
 * Evaluators of distilled detection and segmentation sets, and the real-data baselines they are
 * compared with.
 *
 * <p>{@link dev.distill.task.eval.DetectionEvaluator} and {@link
 * dev.distill.task.eval.SegmentationEvaluator} train a fresh student ({@link
 * dev.distill.task.proxy.CenterNetDetector}, {@link dev.distill.task.proxy.LrAsppSegmenter}) per
 * seed on a set's images and annotations only, with a pinned protocol ({@link
 * dev.distill.task.eval.SceneProtocol}), and report COCO-style mAP or mIoU on real test scenes as
 * an {@link dev.distill.api.EvalReport}. {@link dev.distill.task.eval.SceneBaselines} builds the
 * rows every table shows beside a distilled set: a random real subset of the same budget and the
 * whole training set.
 *
 * @since 0.1.0
 */
package dev.distill.task.eval;
