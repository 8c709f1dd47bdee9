package dev.distill.sdxl.text;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.config.JsonConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The architecture of a CLIP text encoder, read from a transformers {@code config.json} ({@code
 * CLIPTextConfig}).
 *
 * @param hiddenSize width of the residual stream ({@code hidden_size})
 * @param intermediateSize MLP width ({@code intermediate_size})
 * @param numAttentionHeads heads per attention layer ({@code num_attention_heads})
 * @param numHiddenLayers encoder layers ({@code num_hidden_layers})
 * @param maxPositionEmbeddings longest input ({@code max_position_embeddings}, 77)
 * @param layerNormEps LayerNorm epsilon ({@code layer_norm_eps})
 * @param hiddenAct MLP activation ({@code hidden_act})
 * @param vocabSize rows of the token embedding ({@code vocab_size})
 * @param eosTokenId {@code eos_token_id}; the legacy value 2 selects the argmax pooling rule
 * @param projectionDim output width of {@code text_projection} ({@code projection_dim})
 * @param withProjection whether the model has {@code text_projection} ({@code
 *     CLIPTextModelWithProjection})
 * @since 0.1.0
 */
public record ClipTextConfig(
    int hiddenSize,
    int intermediateSize,
    int numAttentionHeads,
    int numHiddenLayers,
    int maxPositionEmbeddings,
    double layerNormEps,
    ClipActivation hiddenAct,
    int vocabSize,
    int eosTokenId,
    int projectionDim,
    boolean withProjection) {

  /** The {@code eos_token_id} of configs written before transformers PR #24773. */
  public static final int LEGACY_EOS_TOKEN_ID = 2;

  /** Validates the sizes. */
  public ClipTextConfig {
    checkArgument(hiddenSize > 0, "hidden_size must be > 0 but was %s", hiddenSize);
    checkArgument(
        intermediateSize > 0, "intermediate_size must be > 0 but was %s", intermediateSize);
    checkArgument(
        numAttentionHeads > 0 && hiddenSize % numAttentionHeads == 0,
        "num_attention_heads must be > 0 and divide hidden_size %s but was %s",
        hiddenSize,
        numAttentionHeads);
    checkArgument(
        numHiddenLayers >= 1, "num_hidden_layers must be >= 1 but was %s", numHiddenLayers);
    checkArgument(
        maxPositionEmbeddings > 0,
        "max_position_embeddings must be > 0 but was %s",
        maxPositionEmbeddings);
    checkArgument(layerNormEps > 0, "layer_norm_eps must be > 0 but was %s", layerNormEps);
    checkNotNull(hiddenAct, "hiddenAct");
    checkArgument(vocabSize > 0, "vocab_size must be > 0 but was %s", vocabSize);
    checkArgument(projectionDim > 0, "projection_dim must be > 0 but was %s", projectionDim);
  }

  /** Width of one attention head. */
  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /** Whether pooling uses the legacy {@code argmax(input_ids)} rule ({@code eos_token_id == 2}). */
  public boolean legacyEosPooling() {
    return eosTokenId == LEGACY_EOS_TOKEN_ID;
  }

  /**
   * Reads a {@code config.json}.
   *
   * @param file the file
   * @param withProjection whether the weights hold {@code text_projection} (used when the config
   *     names no architecture)
   * @return the config
   * @throws IOException if the file is missing or not JSON
   * @throws IllegalArgumentException if a key is missing or invalid (names file and key)
   */
  public static ClipTextConfig read(Path file, boolean withProjection) throws IOException {
    return from(JsonConfig.read(file), withProjection);
  }

  /**
   * Builds the config from parsed JSON. Every architecture key is required; {@code architectures}
   * ({@code CLIPTextModel} / {@code CLIPTextModelWithProjection}), when present, decides whether
   * there is a projection, else {@code withProjection} does.
   *
   * @param json the parsed config
   * @param withProjection the fallback when no architecture is named
   * @return the config
   * @throws IllegalArgumentException if a key is missing or invalid (names the source and key)
   */
  public static ClipTextConfig from(JsonConfig json, boolean withProjection) {
    checkNotNull(json, "json");
    boolean projection = withProjection;
    if (json.has("architectures")) {
      var archs = json.getStringList("architectures");
      if (archs.contains("CLIPTextModelWithProjection")) {
        projection = true;
      } else if (archs.contains("CLIPTextModel")) {
        projection = false;
      }
    }
    String act = json.getString("hidden_act");
    ClipActivation activation;
    try {
      activation = ClipActivation.fromConfig(act);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(json.source() + ": " + e.getMessage(), e);
    }
    try {
      return new ClipTextConfig(
          json.getInt("hidden_size"),
          json.getInt("intermediate_size"),
          json.getInt("num_attention_heads"),
          json.getInt("num_hidden_layers"),
          json.getInt("max_position_embeddings"),
          json.getDouble("layer_norm_eps"),
          activation,
          json.getInt("vocab_size"),
          json.getInt("eos_token_id"),
          projection ? json.getInt("projection_dim") : json.getInt("projection_dim", 512),
          projection);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(json.source())) {
        throw e;
      }
      throw new IllegalArgumentException(json.source() + ": " + e.getMessage(), e);
    }
  }

  /**
   * This config as a transformers {@code config.json} object (the keys {@link #from} reads, plus
   * {@code architectures}); {@code from(toJson(), x)} gives back an equal config.
   *
   * @return the JSON config
   */
  public JsonConfig toJson() {
    ObjectNode node = new ObjectMapper().createObjectNode();
    node.putArray("architectures")
        .add(withProjection ? "CLIPTextModelWithProjection" : "CLIPTextModel");
    node.put("hidden_size", hiddenSize);
    node.put("intermediate_size", intermediateSize);
    node.put("num_attention_heads", numAttentionHeads);
    node.put("num_hidden_layers", numHiddenLayers);
    node.put("max_position_embeddings", maxPositionEmbeddings);
    node.put("layer_norm_eps", layerNormEps);
    node.put("hidden_act", hiddenAct.configName());
    node.put("vocab_size", vocabSize);
    node.put("eos_token_id", eosTokenId);
    node.put("projection_dim", projectionDim);
    return JsonConfig.of("ClipTextConfig", node);
  }
}
