/**
 * Files: safetensors (memory-mapped reading, writing), IDX, ImageFolder, distilled-set manifests,
 * atomic writes.
 *
 * @since 0.1.0
 */
package dev.distill.core.io;
