package dev.distill.core.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Image grids for looking at a batch: {@code rows × cols} cells filled row by row, separated by a
 * black border (like torchvision's {@code make_grid} with {@code pad_value=0} on {@code [0, 1]}
 * images). Cells past the last image stay black.
 *
 * <p>Stateless and thread-safe; returned tensors belong to the caller's current {@link
 * TensorScope}.
 *
 * @since 0.1.0
 */
public final class Grids {
  /** The default border width in pixels. */
  public static final int DEFAULT_PADDING = 2;

  private Grids() {}

  /**
   * Arranges a batch into one grid image.
   *
   * @param images {@code [N, C, H, W]} in {@code [-1, 1]}, any float dtype and device
   * @param rows the number of rows, {@code >= 1}
   * @param cols the number of columns, {@code >= 1}, with {@code rows × cols >= N}
   * @param padding the border width in pixels, {@code >= 0}
   * @return {@code [C, rows·(H+p)+p, cols·(W+p)+p]} float32 on the CPU, owned by the caller's
   *     current scope
   * @throws IllegalArgumentException if the grid is too small for the batch
   */
  public static Tensor grid(Tensor images, int rows, int cols, int padding) {
    checkNotNull(images, "images");
    Tensors.checkShape(images, "images", -1, -1, -1, -1);
    checkArgument(rows >= 1, "rows must be >= 1 but was %s", rows);
    checkArgument(cols >= 1, "cols must be >= 1 but was %s", cols);
    checkArgument(padding >= 0, "padding must be >= 0 but was %s", padding);
    long n = images.size(0);
    checkArgument(
        n <= (long) rows * cols,
        "rows x cols must hold the %s images but was %s x %s",
        n,
        rows,
        cols);
    long c = images.size(1);
    long h = images.size(2);
    long w = images.size(3);
    try (TensorScope scope = TensorScope.open()) {
      Tensor src = images.detach().to(ScalarType.Float).cpu();
      Tensor grid =
          torch.full(
              new long[] {c, rows * (h + padding) + padding, cols * (w + padding) + padding},
              new Scalar(-1.0),
              new TensorOptions(ScalarType.Float));
      for (long i = 0; i < n; i++) {
        long top = padding + (i / cols) * (h + padding);
        long left = padding + (i % cols) * (w + padding);
        grid.narrow(1, top, h).narrow(2, left, w).copy_(src.select(0, i));
      }
      return scope.keep(grid);
    }
  }

  /**
   * Writes a batch as one {@code rows × cols} grid PNG with {@link #DEFAULT_PADDING}, atomically.
   *
   * @param file the PNG file
   * @param images {@code [N, C, H, W]} in {@code [-1, 1]}, C 1 or 3
   * @param rows the number of rows
   * @param cols the number of columns, {@code rows × cols >= N}
   * @throws IOException if writing fails
   * @throws IllegalArgumentException if the grid is too small for the batch
   */
  public static void write(Path file, Tensor images, int rows, int cols) throws IOException {
    checkNotNull(file, "file");
    try (TensorScope scope = TensorScope.open()) {
      Images.writePng(file, grid(images, rows, cols, DEFAULT_PADDING));
    }
  }
}
