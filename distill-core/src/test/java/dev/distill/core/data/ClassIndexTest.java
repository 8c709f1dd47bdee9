package dev.distill.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassIndexTest {
  @TempDir Path tmp;

  @Test
  void readsImagenetsSynsetMappingWithDisplayNamesBeforeTheFirstComma() throws Exception {
    Path f = tmp.resolve("LOC_synset_mapping.txt");
    Files.writeString(
        f, "# ImageNet\nn01440764 tench, Tinca tinca\n\nn01443537 goldfish, Carassius auratus\n");
    ClassIndex c = ClassIndex.read(f);
    assertThat(c.folders()).containsExactly("n01440764", "n01443537");
    assertThat(c.displayNames()).containsExactly("tench", "goldfish");
    assertThat(c.indexOf("n01443537")).contains(1);
    assertThat(c.indexOf("n0")).isEmpty();
  }

  @Test
  void readsTheThreeJsonShapes() throws Exception {
    Path a = tmp.resolve("a.json");
    Files.writeString(a, "[\"b\", \"a\"]");
    assertThat(ClassIndex.read(a).folders()).containsExactly("b", "a");
    Path b = tmp.resolve("b.json");
    Files.writeString(b, "{\"a\": 1, \"b\": 0}");
    assertThat(ClassIndex.read(b).folders()).containsExactly("b", "a");
    Path c = tmp.resolve("c.json");
    Files.writeString(c, "{\"n1\": {\"index\": 0, \"name\": \"tench\"}, \"n2\": {\"index\": 1}}");
    assertThat(ClassIndex.read(c).displayNames()).containsExactly("tench", "n2");
  }

  @Test
  void malformedMappingsNameTheFileAndTheProblem() throws Exception {
    Path gap = tmp.resolve("gap.json");
    Files.writeString(gap, "{\"a\": 0, \"b\": 2}");
    assertThatThrownBy(() -> ClassIndex.read(gap))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(gap.toString())
        .hasMessageContaining("1 is missing");
    Path dup = tmp.resolve("dup.json");
    Files.writeString(dup, "{\"a\": 0, \"b\": 0}");
    assertThatThrownBy(() -> ClassIndex.read(dup)).hasMessageContaining("0 is used by 'a' and 'b'");
    Path twice = tmp.resolve("twice.txt");
    Files.writeString(twice, "a\nb\na\n");
    assertThatThrownBy(() -> ClassIndex.read(twice))
        .hasMessageContaining("'a' is class 0 and class 2");
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{not json");
    assertThatThrownBy(() -> ClassIndex.read(bad)).hasMessageContaining("not valid JSON");
  }

  @Test
  void checkFoldersNamesWhatIsMissingOnEachSide() {
    ClassIndex c = ClassIndex.of(List.of("a", "b", "c"));
    c.checkFolders(List.of("c", "a", "b"), "root");
    assertThatThrownBy(() -> c.checkFolders(List.of("a", "b", "d"), "root"))
        .hasMessageContaining("not on disk [c]")
        .hasMessageContaining("not in the mapping [d]");
  }
}
