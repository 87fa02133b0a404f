package org.denyfs.bench.herd;

import java.util.List;

/**
 * What one herd's workers are asked to load, resolved against the tree: the MODALIAS of each
 * worker's event (one for all in the cpu scenario, one per worker in coldplug) and the modules
 * those probes request, dependencies included, each once.
 *
 * @param events the MODALIAS per worker (coldplug), or the single one every worker loads (cpu)
 * @param requested the union of what the events' probes load
 */
record Workload(Scenario scenario, List<String> events, Tree.ModuleSet requested, int workers) {
    boolean perWorker() {
        return scenario.kind() == Scenario.Kind.COLDPLUG;
    }

    /** For the report: "the same MODALIAS x 255 workers" or "64 device events, one worker each". */
    String describe() {
        return perWorker() ? workers + " distinct device events, one worker each" : "one MODALIAS, " + workers + " workers";
    }
}
