package dev.distill.core.eval;

/**
 * What a training run did.
 *
 * @param steps optimiser steps taken
 * @param finalLoss the loss of the last step
 * @param seconds wall-clock training time
 * @since 0.1.0
 */
public record TrainResult(long steps, double finalLoss, double seconds) {}
