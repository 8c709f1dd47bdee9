package dev.distill.task.proxy;

/**
 * What {@link AnnotationProxyTrainer#train} did.
 *
 * @param steps the optimisation steps taken
 * @param firstLoss the mean per-image task loss of the first batch
 * @param lastLoss the mean per-image task loss of the last batch
 * @since 0.1.0
 */
public record ProxyTrainResult(int steps, double firstLoss, double lastLoss) {}
