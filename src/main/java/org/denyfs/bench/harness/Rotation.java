package org.denyfs.bench.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * The order of the contestants in each run: rotated by one per run, so that none is always first
 * (after a cold start) or always right after a writer (writeback still going).
 */
public final class Rotation {
    private Rotation() {}

    public static <T> List<T> rotate(List<T> list, int by) {
        List<T> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(list.get((i + by) % list.size()));
        }
        return out;
    }
}
