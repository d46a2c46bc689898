import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.util.FixedBitSet;

/**
 * Counts, for each facet value, the number of DISTINCT testimonies among the matching passages
 * (the Rust service's facet counts are testimony counts, not passage counts).
 *
 * <p>Facet values are testimony-level: every passage of a testimony carries the same location,
 * violation and year values. And all passages of a testimony are added in one
 * {@code updateDocuments} block, so they live in one segment. So, per segment, a FixedBitSet over
 * the segment's testimony_id ordinals (SortedDocValues) marks the testimonies already seen; the
 * first matching passage of a testimony adds 1 to each of its values, later ones are skipped.
 * Per-segment counts add up across segments. This is the same scheme as the Rust collector
 * (src/search/collector.rs: "each testimony's facet contributions are computed once per segment").
 *
 * <p>Years are read from SortedNumericDocValues("year"); location and violation (when
 * {@code allFacets}) from SortedSetDocValues, counted per segment ordinal and turned into
 * strings once per segment.
 */
final class DistinctTestimonyFacets extends SimpleCollector {
    static final int YEAR_BASE = 1800, YEAR_SLOTS = 512; // years 1800..2311 in an array, others in a map

    private final boolean allFacets;

    // results
    final int[] yearCounts = new int[YEAR_SLOTS];
    final Map<Long, Integer> otherYearCounts = new HashMap<>();
    final Map<String, Integer> locationCounts = new HashMap<>();
    final Map<String, Integer> violationCounts = new HashMap<>();
    int testimonies; // distinct testimonies matched

    // per segment
    private SortedDocValues testimonyId;
    private SortedNumericDocValues years;
    private SortedSetDocValues locations, violations;
    private FixedBitSet seen;
    private int[] locationOrdCounts, violationOrdCounts;

    DistinctTestimonyFacets(boolean allFacets) {
        this.allFacets = allFacets;
    }

    @Override
    public ScoreMode scoreMode() {
        return ScoreMode.COMPLETE_NO_SCORES;
    }

    @Override
    protected void doSetNextReader(LeafReaderContext context) throws IOException {
        flushSegment();
        testimonyId = DocValues.getSorted(context.reader(), "testimony_id");
        seen = new FixedBitSet(Math.max(1, testimonyId.getValueCount()));
        years = DocValues.getSortedNumeric(context.reader(), "year");
        if (allFacets) {
            locations = DocValues.getSortedSet(context.reader(), "location");
            violations = DocValues.getSortedSet(context.reader(), "violation");
            locationOrdCounts = new int[(int) locations.getValueCount()];
            violationOrdCounts = new int[(int) violations.getValueCount()];
        }
    }

    @Override
    public void collect(int doc) throws IOException {
        if (!testimonyId.advanceExact(doc)) return; // every passage has one; be safe
        int ord = testimonyId.ordValue();
        if (seen.getAndSet(ord)) return;
        testimonies++;
        if (years.advanceExact(doc)) {
            for (int k = 0, n = years.docValueCount(); k < n; k++) {
                long y = years.nextValue();
                long slot = y - YEAR_BASE;
                if (slot >= 0 && slot < YEAR_SLOTS) yearCounts[(int) slot]++;
                else otherYearCounts.merge(y, 1, Integer::sum);
            }
        }
        if (allFacets) {
            countOrds(locations, doc, locationOrdCounts);
            countOrds(violations, doc, violationOrdCounts);
        }
    }

    private static void countOrds(SortedSetDocValues dv, int doc, int[] counts) throws IOException {
        if (!dv.advanceExact(doc)) return;
        for (long o = dv.nextOrd(); o != SortedSetDocValues.NO_MORE_ORDS; o = dv.nextOrd()) counts[(int) o]++;
    }

    /** Turns the current segment's ordinal counts into value strings (call once after search). */
    void finish() throws IOException {
        flushSegment();
    }

    private void flushSegment() throws IOException {
        if (allFacets && locations != null) {
            flushOrds(locations, locationOrdCounts, locationCounts);
            flushOrds(violations, violationOrdCounts, violationCounts);
        }
        locations = violations = null;
    }

    private static void flushOrds(SortedSetDocValues dv, int[] counts, Map<String, Integer> into) throws IOException {
        for (int o = 0; o < counts.length; o++) {
            if (counts[o] != 0) into.merge(dv.lookupOrd(o).utf8ToString(), counts[o], Integer::sum);
        }
    }

    /** Sum of all year counts: a cheap checksum of the facet work. */
    long yearChecksum() {
        long sum = 0;
        for (int c : yearCounts) sum += c;
        for (int c : otherYearCounts.values()) sum += c;
        return sum;
    }
}
