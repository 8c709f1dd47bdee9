package dev.distill.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.data.ClassIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptSourceTest {
  static final ClassIndex CLASSES =
      new ClassIndex(List.of("n01440764", "n01443537"), List.of("tench", "goldfish"));

  @TempDir Path tmp;

  @Test
  void templatesUseTheDisplayNameAndTheFolder() {
    assertThat(PromptSource.defaults().prompts(1, CLASSES, null))
        .containsExactly("a photo of a goldfish");
    assertThat(PromptSource.template("{folder}: {name}").prompts(0, CLASSES, null))
        .containsExactly("n01440764: tench");
  }

  @Test
  void captionFilesMatchFolderOrDisplayNames() throws Exception {
    Path json = tmp.resolve("c.json");
    Files.writeString(
        json,
        "{\"n01440764\": [\"a tench on grass\", \"a tench in a net\"], \"goldfish\": \"a goldfish\"}");
    PromptSource p = PromptSource.captions(json);
    p.checkClasses(CLASSES);
    assertThat(p.prompts(0, CLASSES, null)).containsExactly("a tench on grass", "a tench in a net");
    assertThat(p.prompts(1, CLASSES, null)).containsExactly("a goldfish");
    Path csv = tmp.resolve("c.csv");
    Files.writeString(
        csv,
        "class,prompt\ntench,\"a tench, held up\"\ngoldfish,a goldfish\ngoldfish,two goldfish\n");
    PromptSource q = PromptSource.captions(csv);
    q.checkClasses(CLASSES);
    assertThat(q.prompts(0, CLASSES, null)).containsExactly("a tench, held up");
    assertThat(q.prompts(1, CLASSES, null)).containsExactly("a goldfish", "two goldfish");
  }

  @Test
  void aCaptionFileNamingAnUnknownClassOrMissingOneIsRejected() throws Exception {
    Path unknown = tmp.resolve("u.json");
    Files.writeString(unknown, "{\"tench\": \"t\", \"goldfish\": \"g\", \"shark\": \"s\"}");
    assertThatThrownBy(() -> PromptSource.captions(unknown).checkClasses(CLASSES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown classes [shark]")
        .hasMessageContaining(unknown.toString());
    Path missing = tmp.resolve("m.json");
    Files.writeString(missing, "{\"tench\": \"t\"}");
    assertThatThrownBy(() -> PromptSource.captions(missing).checkClasses(CLASSES))
        .hasMessageContaining("no prompt for classes [n01443537]");
  }

  @Test
  void malformedCaptionFilesNameTheFileAndLine() throws Exception {
    Path csv = tmp.resolve("bad.csv");
    Files.writeString(csv, "tench,a,b\n");
    assertThatThrownBy(() -> PromptSource.captions(csv))
        .hasMessageContaining("line 1 must have 2 columns");
    Path txt = tmp.resolve("bad.txt");
    Files.writeString(txt, "x");
    assertThatThrownBy(() -> PromptSource.captions(txt)).hasMessageContaining(".json or .csv");
    Path blank = tmp.resolve("blank.json");
    Files.writeString(blank, "{\"tench\": [\" \"]}");
    assertThatThrownBy(() -> PromptSource.captions(blank)).hasMessageContaining("blank prompt");
  }
}
