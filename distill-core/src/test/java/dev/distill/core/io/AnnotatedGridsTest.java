package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnotatedGridsTest {
  @TempDir Path tmp;

  private static int rgb(float[] c) {
    return (Math.round(c[0] * 255) << 16) | (Math.round(c[1] * 255) << 8) | Math.round(c[2] * 255);
  }

  @Test
  void boxesAreOutlinedInTheirCategorysColourAndTheInsideIsTheImage() throws Exception {
    int pad = Grids.DEFAULT_PADDING;
    try (org.bytedeco.javacpp.PointerScope s = new org.bytedeco.javacpp.PointerScope()) {
      Tensor black = torch.full(new long[] {1, 1, 16, 16}, new org.bytedeco.pytorch.Scalar(-1.0));
      ImageAnnotations a =
          ImageAnnotations.of(
              16,
              16,
              List.of(new ObjectAnnotation(3, BoundingBox.of(2, 4, 6, 5), Optional.empty())));
      Path file = tmp.resolve("boxes.png");
      AnnotatedGrids.write(file, black, List.of(a), AnnotatedGrids.Overlay.BOXES, 1, 1);
      BufferedImage img = ImageIO.read(file.toFile());
      assertThat(img.getWidth()).isEqualTo(16 + 2 * pad);
      int colour = rgb(AnnotatedGrids.colour(3));
      // corners and edges of the box [2, 8) x [4, 9)
      assertThat(img.getRGB(pad + 2, pad + 4) & 0xFFFFFF).isEqualTo(colour);
      assertThat(img.getRGB(pad + 7, pad + 8) & 0xFFFFFF).isEqualTo(colour);
      assertThat(img.getRGB(pad + 5, pad + 4) & 0xFFFFFF).isEqualTo(colour);
      // inside and outside stay black
      assertThat(img.getRGB(pad + 4, pad + 6) & 0xFFFFFF).isZero();
      assertThat(img.getRGB(pad + 12, pad + 12) & 0xFFFFFF).isZero();
    }
  }

  @Test
  void masksTintTheirPixelsOnly() throws Exception {
    int pad = Grids.DEFAULT_PADDING;
    try (org.bytedeco.javacpp.PointerScope s = new org.bytedeco.javacpp.PointerScope()) {
      Tensor white = torch.full(new long[] {1, 1, 4, 4}, new org.bytedeco.pytorch.Scalar(1.0));
      int[] ids = new int[16];
      ids[5] = 1;
      ImageAnnotations a = ImageAnnotations.of(List.of(), Mask.of(4, 4, ids));
      Path file = tmp.resolve("masks.png");
      AnnotatedGrids.write(file, white, List.of(a), AnnotatedGrids.Overlay.MASKS, 1, 1);
      BufferedImage img = ImageIO.read(file.toFile());
      assertThat(img.getRGB(pad + 1, pad + 1) & 0xFFFFFF).isNotEqualTo(0xFFFFFF);
      assertThat(img.getRGB(pad, pad) & 0xFFFFFF).isEqualTo(0xFFFFFF);
    }
  }

  @Test
  void countsAndSizesMustAgree() {
    try (org.bytedeco.javacpp.PointerScope s = new org.bytedeco.javacpp.PointerScope()) {
      Tensor images = torch.zeros(2, 1, 8, 8);
      ImageAnnotations a = ImageAnnotations.of(8, 8, List.of());
      assertThatThrownBy(
              () ->
                  AnnotatedGrids.write(
                      tmp.resolve("x.png"), images, List.of(a), AnnotatedGrids.Overlay.BOXES, 1, 2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("annotations must have one entry per image (2) but had 1");
      ImageAnnotations wrong = ImageAnnotations.of(9, 8, List.of());
      assertThatThrownBy(
              () ->
                  AnnotatedGrids.write(
                      tmp.resolve("x.png"),
                      images,
                      List.of(a, wrong),
                      AnnotatedGrids.Overlay.BOXES,
                      1,
                      2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("annotations[1] must be 8x8 (width x height) like the images but was 9x8");
    }
  }
}
