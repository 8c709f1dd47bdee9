package dev.distill.core.nn;

/**
 * The student architectures the library can build.
 *
 * @since 0.1.0
 */
public enum Architecture {
  /** {@link ConvNet}: the dataset-distillation ConvNet (ConvNet-3 at depth 3). */
  CONVNET,
  /** {@link ResNet18} for small inputs. */
  RESNET18
}
