/**
 * Trainable image classifiers used as students, teachers and feature extractors: the
 * dataset-distillation {@link dev.distill.core.nn.ConvNet} (ConvNet-3) and a small-input {@link
 * dev.distill.core.nn.ResNet18}, written as functional LibTorch ops over named parameter tensors
 * ({@link dev.distill.core.nn.ParameterSet}) that save and load as safetensors.
 *
 * @since 0.1.0
 */
package dev.distill.core.nn;
