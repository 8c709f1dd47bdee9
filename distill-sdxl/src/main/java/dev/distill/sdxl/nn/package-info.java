/**
 * Building blocks shared by the SDXL components: weight loading from diffusers folders, and the
 * functional layers (linear, norms, attention, resnet blocks).
 *
 * @since 0.1.0
 */
package dev.distill.sdxl.nn;
