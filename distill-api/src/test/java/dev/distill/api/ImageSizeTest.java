package dev.distill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageSizeTest {
  @Test
  void parsesSquareAndRectangularSizesHeightFirst() {
    assertThat(ImageSize.parse("512")).isEqualTo(ImageSize.square(512));
    assertThat(ImageSize.parse(" 480X640 ")).isEqualTo(ImageSize.of(480, 640));
    assertThat(ImageSize.of(480, 640).toString()).isEqualTo("480x640");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "0", "-3", "12x", "x12", "1x2x3", "1.5"})
  void rejectsMalformedSizesNamingTheText(String text) {
    assertThatThrownBy(() -> ImageSize.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size");
  }

  @Test
  void divisibilityChecksBothSides() {
    assertThat(ImageSize.of(64, 48).divisibleBy(8)).isTrue();
    assertThat(ImageSize.of(64, 50).divisibleBy(8)).isFalse();
  }
}
