package dev.distill.core.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The per-image annotations of a class part, as JSON in the part's metadata: sizes, objects (id,
 * box, instance mask) and semantic mask, masks as base64 of their bytes. Lossless, so a resumed run
 * assembles the same set.
 */
final class PartAnnotations {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PartAnnotations() {}

  static String write(List<ImageAnnotations> images) throws JsonProcessingException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ImageAnnotations a : images) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("width", a.width());
      m.put("height", a.height());
      List<Map<String, Object>> objects = new ArrayList<>();
      for (ObjectAnnotation o : a.objects()) {
        Map<String, Object> j = new LinkedHashMap<>();
        BoundingBox b = o.box();
        j.put("category", o.categoryId());
        j.put("box", List.of(b.x(), b.y(), b.width(), b.height()));
        o.instanceMask().ifPresent(k -> j.put("mask", encode(k)));
        objects.add(j);
      }
      m.put("objects", objects);
      a.semanticMask().ifPresent(k -> m.put("semantic", encode(k)));
      out.add(m);
    }
    return JSON.writeValueAsString(out);
  }

  static List<ImageAnnotations> read(String json) throws JsonProcessingException {
    List<Map<String, Object>> in = JSON.readValue(json, new TypeReference<>() {});
    List<ImageAnnotations> out = new ArrayList<>();
    for (Map<String, Object> m : in) {
      int w = ((Number) m.get("width")).intValue();
      int h = ((Number) m.get("height")).intValue();
      List<ObjectAnnotation> objects = new ArrayList<>();
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> objs = (List<Map<String, Object>>) m.get("objects");
      for (Map<String, Object> j : objs) {
        @SuppressWarnings("unchecked")
        List<Number> b = (List<Number>) j.get("box");
        BoundingBox box =
            BoundingBox.of(
                b.get(0).doubleValue(),
                b.get(1).doubleValue(),
                b.get(2).doubleValue(),
                b.get(3).doubleValue());
        Optional<Mask> mask = Optional.ofNullable((String) j.get("mask")).map(s -> decode(s, w, h));
        objects.add(new ObjectAnnotation(((Number) j.get("category")).intValue(), box, mask));
      }
      Optional<Mask> semantic =
          Optional.ofNullable((String) m.get("semantic")).map(s -> decode(s, w, h));
      out.add(new ImageAnnotations(w, h, objects, semantic));
    }
    return out;
  }

  private static String encode(Mask m) {
    return Base64.getEncoder().encodeToString(m.toBytes());
  }

  private static Mask decode(String s, int w, int h) {
    return Mask.ofBytes(w, h, Base64.getDecoder().decode(s));
  }
}
