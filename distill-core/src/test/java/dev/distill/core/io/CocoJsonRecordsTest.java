package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** guava-testlib's {@link NullPointerTester} and {@link EqualsTester} over CocoJson's records. */
class CocoJsonRecordsTest {
  private static final AnnotationSet ONE =
      AnnotationSet.of(List.of(Category.of(1, "a")), List.of(ImageAnnotations.of(2, 2, List.of())));
  private static final String SHA = "ab".repeat(32);

  private static NullPointerTester tester() {
    return new NullPointerTester()
        .setDefault(AnnotationSet.class, ONE)
        .setDefault(Path.class, Path.of("x"))
        .setDefault(int.class, 1)
        .setDefault(String.class, "a.png");
  }

  @Test
  void image() {
    new EqualsTester()
        .addEqualityGroup(
            new CocoJson.Image(1, "a.png", 2, 3), new CocoJson.Image(1, "a.png", 2, 3))
        .addEqualityGroup(new CocoJson.Image(2, "a.png", 2, 3))
        .addEqualityGroup(new CocoJson.Image(1, "b.png", 2, 3))
        .addEqualityGroup(new CocoJson.Image(1, "a.png", 3, 3))
        .testEquals();
    tester().testAllPublicConstructors(CocoJson.Image.class);
    assertThatThrownBy(() -> new CocoJson.Image(1, "a.png", 0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("width must be >= 1 but was 0");
  }

  @Test
  void content() {
    List<CocoJson.Image> images = List.of(new CocoJson.Image(1, "a.png", 2, 2));
    new EqualsTester()
        .addEqualityGroup(new CocoJson.Content(images, ONE), new CocoJson.Content(images, ONE))
        .addEqualityGroup(new CocoJson.Content(List.of(new CocoJson.Image(2, "a.png", 2, 2)), ONE))
        .testEquals();
    tester().testAllPublicConstructors(CocoJson.Content.class);
    assertThatThrownBy(() -> new CocoJson.Content(List.of(), ONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("annotations must have one entry per image (0) but had 1");
  }

  @Test
  void readOptions() {
    new EqualsTester()
        .addEqualityGroup(
            CocoJson.ReadOptions.defaults(), new CocoJson.ReadOptions(false, Optional.empty()))
        .addEqualityGroup(CocoJson.ReadOptions.defaults().withSkipCrowd(true))
        .addEqualityGroup(CocoJson.ReadOptions.defaults().withSha256(SHA))
        .testEquals();
    NullPointerTester t = tester().setDefault(String.class, SHA);
    t.testAllPublicConstructors(CocoJson.ReadOptions.class);
    t.testAllPublicStaticMethods(CocoJson.ReadOptions.class);
    t.testAllPublicInstanceMethods(CocoJson.ReadOptions.defaults());
    assertThatThrownBy(() -> CocoJson.ReadOptions.defaults().withSha256("AB".repeat(32)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sha256 must be 64 lower-case hex digits but was AB");
    tester()
        .setDefault(CocoJson.ReadOptions.class, CocoJson.ReadOptions.defaults())
        .testAllPublicStaticMethods(CocoJson.class);
  }
}
