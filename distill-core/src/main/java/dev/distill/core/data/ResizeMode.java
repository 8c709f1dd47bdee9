package dev.distill.core.data;

/**
 * How an image is brought to another size (see {@link ImageTransforms#resize}).
 *
 * @since 0.1.0
 */
public enum ResizeMode {
  /**
   * Keep the aspect ratio: scale so that the image covers the target (the shorter side, relative to
   * the target, becomes the target's), then cut the centre — torchvision's {@code Resize(size)} +
   * {@code CenterCrop(size)}, the ImageNet evaluation transform. The default.
   */
  COVER_CROP,
  /**
   * Scale both sides to the target, distorting the aspect ratio — torchvision's {@code Resize((h,
   * w))}, which is what the D4M scripts' data loader does ({@code distillation/dataset_utils.py}:
   * {@code transforms.Resize((args.size, args.size))}).
   */
  STRETCH
}
