package dev.distill.core.eval;

/**
 * Top-1 and Top-5 accuracy of a classifier on a labelled set, in percent.
 *
 * @param top1 percent of images whose highest logit is the label
 * @param top5 percent of images whose label is among the 5 highest logits (all logits if fewer than
 *     5 classes)
 * @param count the number of images
 * @since 0.1.0
 */
public record TopKAccuracy(double top1, double top5, long count) {}
