package org.denyfs.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A benchmark's CSV as rows of column name to value, keyed as the test needs (no quoted commas). */
public final class CsvRows {
    private CsvRows() {
    }

    public static Map<String, Map<String, String>> read(Path csv, Function<Map<String, String>, String> key) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",");
        Map<String, Map<String, String>> rows = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], f[i]);
            }
            rows.put(key.apply(row), row);
        }
        return rows;
    }
}
