package dev.distill.api.annotation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.reflect.ClassPath;
import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * guava-testlib's {@link NullPointerTester} and {@link EqualsTester} over every public record of
 * {@code dev.distill.api.annotation} and over {@link Mask} (found on the class path, so a new
 * record without samples here fails), as {@code RecordsTest} does for {@code dev.distill.api}.
 */
class AnnotationRecordsTest {
  static final Mask BINARY = Mask.of(2, 2, new int[] {0, 1, 1, 0});
  static final Mask OTHER_BINARY = Mask.of(2, 2, new int[] {1, 1, 1, 0});
  static final Mask SEMANTIC = Mask.of(2, 2, new int[] {0, 3, 255, 3});

  private static Map<Class<?>, List<List<Object>>> equalityGroups() {
    Map<Class<?>, List<List<Object>>> m = new LinkedHashMap<>();
    m.put(
        BoundingBox.class,
        List.of(
            List.of(new BoundingBox(1, 2, 3, 4), BoundingBox.of(1, 2, 3, 4)),
            List.of(BoundingBox.of(0, 2, 3, 4)),
            List.of(BoundingBox.of(1, 0, 3, 4)),
            List.of(BoundingBox.of(1, 2, 3.5, 4)),
            List.of(BoundingBox.of(1, 2, 3, 4.5))));
    m.put(
        Category.class,
        List.of(
            List.of(new Category(1, "cat"), Category.of(1, "cat")),
            List.of(Category.of(2, "cat")),
            List.of(Category.of(1, "dog"))));
    BoundingBox box = BoundingBox.of(0, 0, 1, 1);
    m.put(
        ObjectAnnotation.class,
        List.of(
            List.of(ObjectAnnotation.of(3, box), new ObjectAnnotation(3, box, Optional.empty())),
            List.of(ObjectAnnotation.of(4, box)),
            List.of(ObjectAnnotation.of(3, BoundingBox.of(0, 0, 2, 1))),
            List.of(
                ObjectAnnotation.of(3, box, BINARY),
                ObjectAnnotation.of(3, box, Mask.of(2, 2, new int[] {0, 1, 1, 0}))),
            List.of(ObjectAnnotation.of(3, box, OTHER_BINARY))));
    List<ObjectAnnotation> objects = List.of(ObjectAnnotation.of(3, box));
    m.put(
        ImageAnnotations.class,
        List.of(
            List.of(
                ImageAnnotations.of(2, 2, objects),
                new ImageAnnotations(2, 2, new ArrayList<>(objects), Optional.empty())),
            List.of(ImageAnnotations.of(3, 2, objects)),
            List.of(ImageAnnotations.of(2, 3, objects)),
            List.of(ImageAnnotations.of(2, 2, List.of())),
            List.of(ImageAnnotations.of(objects, SEMANTIC))));
    List<Category> categories = List.of(Category.of(3, "cat"));
    m.put(
        AnnotationSet.class,
        List.of(
            List.of(
                AnnotationSet.of(categories, List.of(ImageAnnotations.of(2, 2, objects))),
                new AnnotationSet(
                    new ArrayList<>(categories),
                    new ArrayList<>(List.of(ImageAnnotations.of(2, 2, objects))))),
            List.of(AnnotationSet.of(categories, List.of())),
            List.of(
                AnnotationSet.of(
                    List.of(Category.of(3, "kitten")),
                    List.of(ImageAnnotations.of(2, 2, objects))))));
    return m;
  }

  private static List<Class<?>> records() throws IOException {
    List<Class<?>> out = new ArrayList<>();
    for (ClassPath.ClassInfo info :
        ClassPath.from(AnnotationRecordsTest.class.getClassLoader())
            .getTopLevelClasses("dev.distill.api.annotation")) {
      Class<?> c = info.load();
      if (c.isRecord() && Modifier.isPublic(c.getModifiers())) {
        out.add(c);
      }
    }
    return out;
  }

  @Test
  void everyAnnotationRecordHasEqualitySamplesHere() throws IOException {
    assertThat(records()).hasSizeGreaterThanOrEqualTo(5);
    assertThat(equalityGroups().keySet()).containsAll(records());
  }

  static Stream<Class<?>> recordClasses() {
    return equalityGroups().keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recordClasses")
  void equalsAndHashCodeFollowTheComponents(Class<?> record) {
    EqualsTester tester = new EqualsTester();
    for (List<Object> group : equalityGroups().get(record)) {
      tester.addEqualityGroup(group.toArray());
    }
    tester.testEquals();
  }

  private static NullPointerTester tester() {
    NullPointerTester tester = new NullPointerTester();
    tester.setDefault(Mask.class, BINARY);
    tester.setDefault(BoundingBox.class, BoundingBox.of(0, 0, 1, 1));
    return tester;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recordClasses")
  void nullArgumentsAreRejectedWithNullPointerException(Class<?> record) {
    NullPointerTester tester = tester();
    tester.testAllPublicConstructors(record);
    tester.testAllPublicStaticMethods(record);
    tester.testAllPublicInstanceMethods(equalityGroups().get(record).get(0).get(0));
  }

  @Test
  void maskComparesSizeAndEveryValue() {
    new EqualsTester()
        .addEqualityGroup(
            Mask.of(2, 1, new int[] {0, 200}), Mask.ofBytes(2, 1, new byte[] {0, (byte) 200}))
        .addEqualityGroup(Mask.of(1, 2, new int[] {0, 200}))
        .addEqualityGroup(Mask.of(2, 1, new int[] {0, 201}))
        .testEquals();
    NullPointerTester tester = tester();
    tester.testAllPublicStaticMethods(Mask.class);
    tester.testAllPublicInstanceMethods(BINARY);
  }
}
