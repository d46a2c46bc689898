/*
 * LuceneHarness: a Lucene 8 + Nori peer of testimony-search, for side-by-side measurement.
 * It is a measuring tool, not a dependency of the service.
 *
 * What it measures, on the same corpus.jsonl / queries.jsonl the Rust benches use:
 *   1. Ingest: read the JSON Lines corpus, split each transcript into passages (paragraphs; speaker
 *      labels stripped, as src/ingest/passage.rs does), and index one Lucene document per passage
 *      with the testimony's facet values (location and violation with all ancestor paths, every
 *      event year) copied onto it. Like the Rust write_batch: each testimony is one atomic
 *      delete-then-add group (updateDocuments), one writer with a 256 MB buffer, one commit at the
 *      end, no forceMerge. Figures: seconds from opening the corpus to commit done, passages/s,
 *      testimonies/s, input MB/s, index bytes on disk, peak heap.
 *   2. Query: for each query, analyse it (Nori for ko on text_ko, EnglishAnalyzer for en on
 *      text_en), all terms required, a quoted phrase as a phrase query, facet filters as FILTER
 *      clauses; collect the top 10 by BM25 and, in the same pass, facet counts of DISTINCT
 *      testimonies (year only, or location+violation+year), then load the stored fields of the
 *      10 hits, as the Rust search returns the page's text. Figures: per-query latency
 *      p50/p90/p99/mean single-threaded, and QPS with --threads searcher threads sharing one
 *      IndexSearcher.
 *   The last line printed is "RESULT {json}" with every figure, for scripts that compute ratios.
 *
 * Differences from the Rust service that remain (see README.md): no language detection or facet
 * extraction at ingest, no testimony-level documents, no bigram field, no query expansion through
 * the gazetteer, no highlighting, no multi-select facet counting. The Lucene query cache is off
 * by default (tantivy has none); --query-cache turns it on.
 */

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.ko.KoreanAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MultiCollector;
import org.apache.lucene.search.MultiPhraseQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollector;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.Version;

public final class LuceneHarness {

    // ---- options -------------------------------------------------------------------------

    static final class Options {
        Path corpus, queries, index;
        int threads = 2, rounds = 5, warmup = 2, top = 10;
        double ramBufferMb = 256;
        boolean queryCache = false, showQueries = false, noIngest = false;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int k = 0; k < args.length; k++) {
                String a = args[k];
                if (a.equals("-h") || a.equals("--help")) {
                    System.out.println(USAGE);
                    System.exit(0);
                }
                if (a.equals("--query-cache")) {
                    o.queryCache = true;
                    continue;
                }
                if (a.equals("--no-ingest")) {
                    o.noIngest = true;
                    continue;
                }
                if (a.equals("--show-queries")) {
                    o.showQueries = true;
                    continue;
                }
                if (k + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
                String v = args[++k];
                switch (a) {
                    case "--corpus": o.corpus = Paths.get(v); break;
                    case "--queries": o.queries = Paths.get(v); break;
                    case "--index": o.index = Paths.get(v); break;
                    case "--threads": o.threads = positive(a, v); break;
                    case "--rounds": o.rounds = positive(a, v); break;
                    case "--warmup": o.warmup = Integer.parseInt(v); break;
                    case "--top": o.top = positive(a, v); break;
                    case "--ram-buffer-mb": o.ramBufferMb = Double.parseDouble(v); break;
                    default: throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                }
            }
            if ((o.corpus == null && !o.noIngest) || o.queries == null || o.index == null)
                throw new IllegalArgumentException("--corpus, --queries and --index are required\n" + USAGE);
            if (o.warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0");
            return o;
        }

        private static int positive(String name, String v) {
            int n = Integer.parseInt(v);
            if (n < 1) throw new IllegalArgumentException(name + " must be >= 1");
            return n;
        }
    }

    static final String USAGE = "usage: LuceneHarness --corpus corpus.jsonl --queries queries.jsonl --index DIR "
            + "[--threads 2] [--rounds 5] [--warmup 2] [--top 10] [--ram-buffer-mb 256] [--query-cache] [--show-queries] [--no-ingest]\n"
            + "  --no-ingest: query the index already in DIR (built by an earlier run); ingest figures are null";

    // ---- analysis ------------------------------------------------------------------------

    /** text_ko: Nori with its defaults (DecompoundMode.DISCARD, default stop tags); text_en: EnglishAnalyzer. */
    static Analyzer analyzer() {
        Map<String, Analyzer> perField = new HashMap<>();
        perField.put("text_ko", new KoreanAnalyzer());
        perField.put("text_en", new EnglishAnalyzer());
        return new PerFieldAnalyzerWrapper(new StandardAnalyzer(), perField);
    }

    // ---- peak heap sampling --------------------------------------------------------------

    /** Samples used heap every few milliseconds; peak() since the last reset(). */
    static final class HeapSampler implements AutoCloseable {
        private final MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        private final AtomicLong peak = new AtomicLong();
        private volatile boolean running = true;
        private final Thread thread;

        HeapSampler() {
            thread = new Thread(() -> {
                while (running) {
                    sample();
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void sample() {
            long used = mx.getHeapMemoryUsage().getUsed();
            peak.accumulateAndGet(used, Math::max);
        }

        long reset() {
            sample();
            return peak.getAndSet(0);
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
        }
    }

    // ---- corpus -> documents -------------------------------------------------------------

    static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n[ \\t\\x0B\\f\\r]*\\n");
    /** Speaker labels as src/ingest/passage.rs: 답변 before 답, optional blanks before the colon. */
    static final Pattern SPEAKER = Pattern.compile("^(질문|답변|문|답|Q|A|q)[ \\t]*[:：]");

    static final class Passage {
        final String speaker, text;

        Passage(String speaker, String text) {
            this.speaker = speaker;
            this.text = text;
        }
    }

    static List<Passage> passages(String transcript) {
        String normalized = transcript.replace("\r\n", "\n").replace('\r', '\n');
        List<Passage> out = new ArrayList<>();
        for (String para : PARAGRAPH_BREAK.split(normalized)) {
            String t = para.strip();
            if (t.isEmpty()) continue;
            String speaker = null;
            Matcher m = SPEAKER.matcher(t);
            if (m.lookingAt()) {
                speaker = m.group(1);
                t = t.substring(m.end()).strip();
                if (t.isEmpty()) continue; // a label with no text is not a passage
            }
            out.add(new Passage(speaker, t));
        }
        return out;
    }

    /** "kp/north-hamgyong/hoeryong" -> kp, kp/north-hamgyong, kp/north-hamgyong/hoeryong. */
    static void addWithAncestors(String path, Set<String> into) {
        if (path == null) return;
        String p = path.strip();
        if (p.isEmpty()) return;
        int slash = -1;
        while ((slash = p.indexOf('/', slash + 1)) >= 0) {
            if (slash > 0) into.add(p.substring(0, slash));
        }
        into.add(p);
    }

    static boolean mostlyHangul(String s) {
        int hangul = 0, letters = 0;
        for (int k = 0; k < s.length() && letters < 2000; k++) {
            char c = s.charAt(k);
            if (Character.isLetter(c)) {
                letters++;
                if (c >= 0xAC00 && c <= 0xD7A3) hangul++;
            }
        }
        return letters > 0 && hangul * 2 >= letters;
    }

    static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof String ? (String) v : null;
    }

    static Integer integer(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v instanceof Long) return (int) (long) (Long) v;
        if (v instanceof Double && (Double) v == Math.rint((Double) v)) return (int) (double) (Double) v;
        return null;
    }

    static List<String> strings(Map<String, Object> m, String key) {
        Object v = m.get(key);
        List<String> out = new ArrayList<>();
        if (v instanceof String) out.add((String) v);
        else if (v instanceof List) for (Object o : (List<?>) v) if (o instanceof String) out.add((String) o);
        return out;
    }

    /** One testimony, ready for updateDocuments: its passages with the testimony's facet values. */
    static final class Prepared {
        final String id;
        final List<Document> docs = new ArrayList<>();

        Prepared(String id) {
            this.id = id;
        }
    }

    /** Parses one corpus line; null (with a reason in why[0]) when the record is rejected. */
    @SuppressWarnings("unchecked")
    static Prepared prepare(String line, String[] why) {
        Object parsed;
        try {
            parsed = MiniJson.parse(line);
        } catch (IllegalArgumentException e) {
            why[0] = e.getMessage();
            return null;
        }
        if (!(parsed instanceof Map)) {
            why[0] = "not an object";
            return null;
        }
        Map<String, Object> r = (Map<String, Object>) parsed;
        String id = str(r, "id"), transcript = str(r, "transcript");
        if (id == null || id.isEmpty() || transcript == null) {
            why[0] = "no id or transcript";
            return null;
        }
        String language = str(r, "language");
        boolean korean = language != null ? language.equals("ko") : mostlyHangul(transcript);
        String textField = korean ? "text_ko" : "text_en";

        Set<String> locations = new LinkedHashSet<>(), violations = new LinkedHashSet<>();
        Set<Integer> years = new LinkedHashSet<>();
        Object events = r.get("events");
        if (events instanceof List) {
            for (Object e : (List<?>) events) {
                if (!(e instanceof Map)) continue;
                Map<String, Object> ev = (Map<String, Object>) e;
                addWithAncestors(str(ev, "location"), locations);
                addWithAncestors(str(ev, "violation"), violations);
                Integer from = integer(ev, "year"), to = integer(ev, "year_to");
                if (from != null) {
                    int last = to != null && to >= from && to - from <= 200 ? to : from;
                    for (int y = from; y <= last; y++) years.add(y);
                }
            }
        }

        Prepared p = new Prepared(id);
        List<Passage> ps = passages(transcript);
        for (int n = 0; n < ps.size(); n++) {
            Passage passage = ps.get(n);
            Document d = new Document();
            d.add(new StringField("testimony_id", id, Field.Store.YES));
            d.add(new SortedDocValuesField("testimony_id", new BytesRef(id)));
            d.add(new StringField("passage_id", id + "#" + (n + 1), Field.Store.YES));
            d.add(new StoredField("paragraph", n + 1));
            d.add(new StringField("language", korean ? "ko" : "en", Field.Store.YES));
            if (passage.speaker != null) d.add(new StoredField("speaker", passage.speaker));
            d.add(new StoredField("text", passage.text));
            d.add(new TextField(textField, passage.text, Field.Store.NO));
            for (String v : locations) {
                d.add(new StringField("location", v, Field.Store.NO));
                d.add(new SortedSetDocValuesField("location", new BytesRef(v)));
            }
            for (String v : violations) {
                d.add(new StringField("violation", v, Field.Store.NO));
                d.add(new SortedSetDocValuesField("violation", new BytesRef(v)));
            }
            for (int y : years) {
                d.add(new IntPoint("year", y));
                d.add(new SortedNumericDocValuesField("year", y));
            }
            p.docs.add(d);
        }
        return p;
    }

    // ---- ingest --------------------------------------------------------------------------

    static final class IngestResult {
        long testimonies, passages, rejected, inputBytes, indexBytes, peakHeap;
        double seconds, closeSeconds;
        int segments;
    }

    static final List<String> POISON = new ArrayList<>();

    static IngestResult ingest(Options o, HeapSampler heap) throws Exception {
        prepareIndexDir(o.index);
        IngestResult res = new IngestResult();
        res.inputBytes = Files.size(o.corpus);
        heap.reset();
        AtomicLong testimonies = new AtomicLong(), passages = new AtomicLong(), rejected = new AtomicLong();

        long t0 = System.nanoTime();
        Directory dir = FSDirectory.open(o.index);
        IndexWriterConfig cfg = new IndexWriterConfig(analyzer());
        cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        cfg.setRAMBufferSizeMB(o.ramBufferMb);
        cfg.setCommitOnClose(false);
        IndexWriter writer = new IndexWriter(dir, cfg);

        // The main thread reads lines and hands batches to T workers, which parse, split into
        // passages, analyse and add (all in updateDocuments) into the one shared IndexWriter.
        BlockingQueue<List<String>> queue = new ArrayBlockingQueue<>(4 * o.threads);
        ExecutorService pool = Executors.newFixedThreadPool(o.threads);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < o.threads; w++) {
            workers.add(pool.submit(() -> {
                String[] why = new String[1];
                while (true) {
                    List<String> batch = queue.take();
                    if (batch == POISON) return null;
                    for (String line : batch) {
                        Prepared p = prepare(line, why);
                        if (p == null) {
                            if (rejected.incrementAndGet() <= 5) System.err.println("rejected record: " + why[0]);
                            continue;
                        }
                        writer.updateDocuments(new Term("testimony_id", p.id), p.docs);
                        testimonies.incrementAndGet();
                        passages.addAndGet(p.docs.size());
                    }
                }
            }));
        }
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Files.newInputStream(o.corpus), StandardCharsets.UTF_8), 1 << 20)) {
            List<String> batch = new ArrayList<>(64);
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) continue;
                batch.add(line);
                if (batch.size() == 64) {
                    putChecked(queue, batch, workers);
                    batch = new ArrayList<>(64);
                }
            }
            if (!batch.isEmpty()) putChecked(queue, batch, workers);
            for (int w = 0; w < o.threads; w++) putChecked(queue, POISON, workers);
        } finally {
            pool.shutdown();
        }
        for (Future<?> f : workers) f.get(); // rethrows a worker's failure
        writer.commit();
        res.seconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        writer.close(); // waits for running merges, as the Rust side's wait_merging_threads
        res.closeSeconds = (System.nanoTime() - t1) / 1e9;
        res.peakHeap = heap.reset();

        res.testimonies = testimonies.get();
        res.passages = passages.get();
        res.rejected = rejected.get();
        res.indexBytes = dirBytes(o.index);
        try (DirectoryReader r = DirectoryReader.open(dir)) {
            res.segments = r.leaves().size();
        }
        dir.close();
        if (res.testimonies == 0) throw new IllegalStateException("no record of " + o.corpus + " could be indexed");
        return res;
    }

    /** --no-ingest: what the existing index holds; timings are NaN (written as null). */
    static IngestResult existing(Options o) throws IOException {
        IngestResult res = new IngestResult();
        res.seconds = res.closeSeconds = Double.NaN;
        res.inputBytes = o.corpus != null && Files.isRegularFile(o.corpus) ? Files.size(o.corpus) : 0;
        try (Directory dir = FSDirectory.open(o.index); DirectoryReader r = DirectoryReader.open(dir)) {
            res.passages = r.numDocs();
            res.segments = r.leaves().size();
            for (org.apache.lucene.index.LeafReaderContext leaf : r.leaves()) // a testimony lives in one segment
                res.testimonies += org.apache.lucene.index.DocValues.getSorted(leaf.reader(), "testimony_id").getValueCount();
        }
        res.indexBytes = dirBytes(o.index);
        return res;
    }

    /** Puts a batch, but gives up if a worker died (so a failure cannot deadlock the reader). */
    static void putChecked(BlockingQueue<List<String>> q, List<String> batch, List<Future<?>> workers) throws Exception {
        while (!q.offer(batch, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            for (Future<?> f : workers) if (f.isDone()) f.get();
        }
    }

    /** Makes DIR an empty directory; refuses to wipe a non-empty directory that is not a Lucene index. */
    static void prepareIndexDir(Path dir) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) throw new IOException(dir + " exists and is not a directory");
            boolean lucene;
            boolean empty;
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> files = s.collect(java.util.stream.Collectors.toList());
                empty = files.isEmpty();
                lucene = files.stream().anyMatch(f -> {
                    String n = f.getFileName().toString();
                    return n.startsWith("segments") || n.equals("write.lock");
                });
            }
            if (!empty && !lucene)
                throw new IOException(dir + " is not empty and holds no Lucene index: refusing to delete it");
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                    if (!f.equals(dir)) Files.delete(f);
                }
            }
        }
        Files.createDirectories(dir);
    }

    static long dirBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    // ---- queries -------------------------------------------------------------------------

    static final class QuerySpec {
        String id, q, lang;
        List<String> location = new ArrayList<>(), violation = new ArrayList<>();
        Integer yearFrom, yearTo;
    }

    @SuppressWarnings("unchecked")
    static List<QuerySpec> readQueries(Path file) throws IOException {
        List<QuerySpec> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank()) continue;
            Object parsed;
            try {
                parsed = MiniJson.parse(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": " + e.getMessage());
            }
            if (!(parsed instanceof Map)) throw new IllegalArgumentException(file + ":" + lineNo + ": not an object");
            Map<String, Object> m = (Map<String, Object>) parsed;
            QuerySpec s = new QuerySpec();
            s.id = str(m, "id") != null ? str(m, "id") : "line" + lineNo;
            s.q = str(m, "q") != null ? str(m, "q") : "";
            s.lang = str(m, "lang");
            if (s.lang == null || !(s.lang.equals("ko") || s.lang.equals("en"))) s.lang = mostlyHangul(s.q) ? "ko" : "en";
            s.location = strings(m, "location");
            s.violation = strings(m, "violation");
            s.yearFrom = integer(m, "year_from");
            s.yearTo = integer(m, "year_to");
            out.add(s);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + " holds no query");
        return out;
    }

    static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    /**
     * Analysed terms of a text, per position: empty where a removed token (a particle) left a gap,
     * more than one where tokens stack.
     */
    static List<List<String>> analyze(Analyzer a, String field, String text) throws IOException {
        List<List<String>> positions = new ArrayList<>();
        try (TokenStream ts = a.tokenStream(field, new StringReader(text))) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                int step = inc.getPositionIncrement();
                if (step == 0 && !positions.isEmpty()) {
                    positions.get(positions.size() - 1).add(term.toString());
                } else {
                    for (int gap = 1; gap < step && !positions.isEmpty(); gap++) positions.add(new ArrayList<>()); // removed stop words
                    List<String> at = new ArrayList<>();
                    at.add(term.toString());
                    positions.add(at);
                }
            }
            ts.end();
        }
        return positions;
    }

    /**
     * The Lucene query for a spec: quoted parts as phrase queries, every other analysed term a
     * MUST clause; filters as FILTER clauses (values OR-ed within a facet, facets AND-ed).
     */
    static Query build(QuerySpec s, Analyzer a) throws IOException {
        String field = s.lang.equals("ko") ? "text_ko" : "text_en";
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        int clauses = 0;
        String q = s.q;
        StringBuilder rest = new StringBuilder();
        if (q.chars().filter(c -> c == '"').count() % 2 == 0) {
            Matcher m = QUOTED.matcher(q);
            int last = 0;
            while (m.find()) {
                rest.append(q, last, m.start()).append(' ');
                last = m.end();
                List<List<String>> pos = analyze(a, field, m.group(1));
                if (pos.isEmpty()) continue;
                b.add(phrase(field, pos), Occur.MUST);
                clauses++;
            }
            rest.append(q.substring(last));
        } else {
            rest.append(q.replace('"', ' ')); // an unclosed quote: plain text, never an error
        }
        Set<String> seen = new LinkedHashSet<>();
        for (List<String> at : analyze(a, field, rest.toString())) seen.addAll(at);
        for (String t : seen) {
            b.add(new TermQuery(new Term(field, t)), Occur.MUST);
            clauses++;
        }
        if (clauses == 0) {
            b.add(new MatchAllDocsQuery(), Occur.MUST); // empty query: every passage
        }
        if (!s.location.isEmpty()) b.add(anyOf("location", s.location), Occur.FILTER);
        if (!s.violation.isEmpty()) b.add(anyOf("violation", s.violation), Occur.FILTER);
        if (s.yearFrom != null || s.yearTo != null) {
            int from = s.yearFrom != null ? s.yearFrom : Integer.MIN_VALUE;
            int to = s.yearTo != null ? s.yearTo : Integer.MAX_VALUE;
            b.add(IntPoint.newRangeQuery("year", from, to), Occur.FILTER);
        }
        return b.build();
    }

    /**
     * A phrase over analysed positions; empty positions are gaps (removed particles), kept so
     * that the phrase matches the indexed text, which has the same gaps. One term per position
     * (the case with Nori's default DISCARD mode) gives a plain PhraseQuery.
     */
    static Query phrase(String field, List<List<String>> pos) {
        if (pos.stream().allMatch(p -> p.size() <= 1)) {
            PhraseQuery.Builder pb = new PhraseQuery.Builder();
            for (int k = 0; k < pos.size(); k++) if (!pos.get(k).isEmpty()) pb.add(new Term(field, pos.get(k).get(0)), k);
            return pb.build();
        }
        MultiPhraseQuery.Builder mb = new MultiPhraseQuery.Builder();
        for (int k = 0; k < pos.size(); k++) {
            if (pos.get(k).isEmpty()) continue;
            mb.add(pos.get(k).stream().map(t -> new Term(field, t)).toArray(Term[]::new), k);
        }
        return mb.build();
    }

    static Query anyOf(String field, List<String> values) {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (String v : values) b.add(new TermQuery(new Term(field, v)), Occur.SHOULD);
        return b.build();
    }

    /** What one query run yields, kept small: enough for checksums. */
    static final class Outcome {
        long totalHits, facetSum, storedChars, storedNanos;
    }

    /** One full query: build, top-N + distinct-testimony facets in one pass, load the page's stored fields. */
    static Outcome run(IndexSearcher searcher, Analyzer a, QuerySpec s, int top, boolean allFacets) throws IOException {
        Query query = build(s, a);
        TopScoreDocCollector topCollector = TopScoreDocCollector.create(top, Integer.MAX_VALUE); // exact totals
        DistinctTestimonyFacets facets = new DistinctTestimonyFacets(allFacets);
        searcher.search(query, MultiCollector.wrap(topCollector, facets));
        facets.finish();
        TopDocs td = topCollector.topDocs();
        Outcome out = new Outcome();
        out.totalHits = td.totalHits.value;
        out.facetSum = facets.yearChecksum();
        if (allFacets) {
            for (int c : facets.locationCounts.values()) out.facetSum += c;
            for (int c : facets.violationCounts.values()) out.facetSum += c;
        }
        long t = System.nanoTime();
        for (ScoreDoc sd : td.scoreDocs) {
            Document d = searcher.doc(sd.doc);
            String text = d.get("text");
            out.storedChars += (text == null ? 0 : text.length()) + d.get("passage_id").length();
        }
        out.storedNanos = System.nanoTime() - t;
        return out;
    }

    static final class Latency {
        final double p50, p90, p99, mean, max;

        Latency(long[] nanos) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            p50 = pct(s, 0.50);
            p90 = pct(s, 0.90);
            p99 = pct(s, 0.99);
            max = s[s.length - 1] / 1e6;
            mean = Arrays.stream(s).average().orElse(0) / 1e6;
        }

        /** Nearest-rank percentile, in ms. */
        static double pct(long[] sorted, double p) {
            int idx = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
        }
    }

    static final class SinglePass {
        Latency latency;
        double qps, storedMeanMs;
        long hits, facets;
    }

    /**
     * Timed single-threaded rounds over the whole query set. Each query runs once per variant
     * (year facet only, then three facets) back to back, so neither variant gets a warmer JIT or
     * cache than the other. QPS is queries / summed latency (the thread does nothing else).
     */
    static SinglePass[] singleThreaded(IndexSearcher searcher, Analyzer a, List<QuerySpec> qs, Options o) throws IOException {
        long[][] nanos = new long[2][qs.size() * o.rounds];
        SinglePass[] r = {new SinglePass(), new SinglePass()};
        int n = 0;
        for (int round = 0; round < o.rounds; round++) {
            for (QuerySpec s : qs) {
                for (int v = 0; v < 2; v++) {
                    long t = System.nanoTime();
                    Outcome out = run(searcher, a, s, o.top, v == 1);
                    nanos[v][n] = System.nanoTime() - t;
                    r[v].storedMeanMs += out.storedNanos / 1e6;
                    if (round == 0) {
                        r[v].hits += out.totalHits;
                        r[v].facets += out.facetSum;
                    }
                }
                n++;
            }
        }
        for (int v = 0; v < 2; v++) {
            r[v].latency = new Latency(nanos[v]);
            r[v].qps = nanos[v].length / (Arrays.stream(nanos[v]).sum() / 1e9);
            r[v].storedMeanMs /= nanos[v].length;
        }
        return r;
    }

    /** T threads share the searcher; thread i runs queries i, i+T, ... of every round. Returns QPS. */
    static double concurrent(IndexSearcher searcher, Analyzer a, List<QuerySpec> qs, Options o, boolean allFacets)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(o.threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> fs = new ArrayList<>();
        try {
            for (int t = 0; t < o.threads; t++) {
                final int me = t;
                fs.add(pool.submit(() -> {
                    start.await();
                    long done = 0;
                    for (int round = 0; round < o.rounds; round++) {
                        for (int k = me; k < qs.size(); k += o.threads) {
                            run(searcher, a, qs.get(k), o.top, allFacets);
                            done++;
                        }
                    }
                    return done;
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            long total = 0;
            for (Future<Long> f : fs) total += f.get();
            return total / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- main ----------------------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (!o.noIngest && !Files.isRegularFile(o.corpus)) throw new IOException("no corpus file " + o.corpus);
        if (!Files.isRegularFile(o.queries)) throw new IOException("no queries file " + o.queries);
        List<QuerySpec> queries = readQueries(o.queries);

        Runtime rt = Runtime.getRuntime();
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        String xmx = jvmArgs.stream().filter(x -> x.startsWith("-Xmx")).reduce((x, y) -> y).orElse("(default)");
        System.out.printf("Lucene %s + Nori, Java %s, %d cores, heap max %d MB (%s)%n", Version.LATEST,
                System.getProperty("java.version"), rt.availableProcessors(), rt.maxMemory() >> 20, xmx);
        System.out.printf("corpus %s, queries %s (%d), index %s, threads %d, warmup %d, rounds %d, top %d, query cache %s%n",
                o.corpus, o.queries, queries.size(), o.index, o.threads, o.warmup, o.rounds, o.top,
                o.queryCache ? "on" : "off");
        Double loadStart = loadAverage();
        if (loadStart != null && loadStart > 0.5 * rt.availableProcessors())
            System.out.printf("WARNING: load average %.2f on %d cores before start: other work is running, figures will be noisy%n",
                    loadStart, rt.availableProcessors());

        try (HeapSampler heap = new HeapSampler()) {
            // 1. ingest
            // Nori loads its dictionaries (about 25 MB of resources) on first use: a one-off cost per
            // JVM, timed apart so that ingest throughput is not skewed on small corpora.
            long l0 = System.nanoTime();
            try (Analyzer warm = analyzer()) {
                analyze(warm, "text_ko", "북한에서 강제 노동을 했습니다.");
                analyze(warm, "text_en", "They were detained.");
            }
            double analyzerLoadSeconds = (System.nanoTime() - l0) / 1e9;
            IngestResult in = o.noIngest ? existing(o) : ingest(o, heap);
            System.out.println();
            System.out.println(o.noIngest ? "== ingest skipped (--no-ingest): the index in " + o.index + " holds ==" : "== ingest ==");
            System.out.printf("testimonies %d, passages %d, rejected %d, input %.1f MB%n", in.testimonies, in.passages,
                    in.rejected, in.inputBytes / 1e6);
            if (!o.noIngest) {
                System.out.printf("open corpus -> commit done: %.2f s  (+ %.2f s close, waiting for merges; "
                        + "Nori dictionary load before that %.2f s)%n", in.seconds, in.closeSeconds, analyzerLoadSeconds);
                System.out.printf("throughput: %.0f passages/s, %.0f testimonies/s, %.2f MB/s input%n",
                        in.passages / in.seconds, in.testimonies / in.seconds, in.inputBytes / 1e6 / in.seconds);
            }
            System.out.printf("index: %.1f MB on disk (%d bytes), %d segments; peak heap during ingest %s%n",
                    in.indexBytes / 1e6, in.indexBytes, in.segments,
                    o.noIngest ? "-" : String.format("%.0f MB", in.peakHeap / 1048576.0));

            // 2. queries. Collect the ingest's garbage first, so that the query phase's heap peak is its own.
            System.gc();
            heap.reset();
            Analyzer analyzer = analyzer();
            try (Directory dir = FSDirectory.open(o.index); DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader); // no executor: one thread per query, like the Rust side
                if (!o.queryCache) searcher.setQueryCache(null);

                long w0 = System.nanoTime();
                for (int w = 0; w < o.warmup; w++) {
                    for (QuerySpec s : queries) {
                        run(searcher, analyzer, s, o.top, false);
                        run(searcher, analyzer, s, o.top, true);
                    }
                }
                double warmSeconds = (System.nanoTime() - w0) / 1e9;

                if (o.showQueries) showQueries(searcher, analyzer, queries);
                SinglePass[] passes = singleThreaded(searcher, analyzer, queries, o);
                SinglePass one = passes[0], three = passes[1];
                if (one.hits != three.hits) throw new IllegalStateException("hit totals differ between the facet variants");
                double qpsThreads = concurrent(searcher, analyzer, queries, o, false);
                double qpsThreads3 = concurrent(searcher, analyzer, queries, o, true);
                long peakQueryHeap = heap.reset();

                System.out.println();
                System.out.printf("== queries (%d queries x %d rounds, after %d warm-up rounds in %.1f s) ==%n",
                        queries.size(), o.rounds, o.warmup, warmSeconds);
                System.out.println("single thread, ms per query   p50      p90      p99      mean     max      QPS");
                printLatency("1 facet (year)", one);
                printLatency("3 facets (loc,viol,year)", three);
                System.out.printf("  of which loading the stored fields of the page: %.3f ms mean (1 facet), %.3f ms (3 facets)%n",
                        one.storedMeanMs, three.storedMeanMs);
                System.out.printf("%d threads sharing one searcher: %.0f QPS (1 facet), %.0f QPS (3 facets)%n", o.threads,
                        qpsThreads, qpsThreads3);
                System.out.printf("checksums: total hits %d (per pass over the query set), year facet counts %d, "
                        + "3-facet counts %d; peak heap during queries %.0f MB%n", one.hits, one.facets, three.facets,
                        peakQueryHeap / 1048576.0);

                Map<String, Object> r = new LinkedHashMap<>();
                r.put("system", "lucene-nori");
                r.put("lucene_version", Version.LATEST.toString());
                r.put("java_version", System.getProperty("java.version"));
                r.put("xmx", xmx);
                r.put("heap_max_mb", rt.maxMemory() >> 20);
                r.put("testimonies", in.testimonies);
                r.put("passages", in.passages);
                r.put("rejected", in.rejected);
                r.put("input_bytes", in.inputBytes);
                r.put("ingest_seconds", in.seconds);
                r.put("ingest_close_seconds", in.closeSeconds);
                r.put("analyzer_load_seconds", analyzerLoadSeconds);
                r.put("ingest_passages_per_s", in.passages / in.seconds);
                r.put("ingest_testimonies_per_s", in.testimonies / in.seconds);
                r.put("ingest_mb_per_s", in.inputBytes / 1e6 / in.seconds);
                r.put("index_bytes", in.indexBytes);
                r.put("segments", in.segments);
                r.put("peak_heap_mb", Math.max(in.peakHeap, peakQueryHeap) / 1048576.0);
                r.put("peak_heap_mb_ingest", o.noIngest ? null : in.peakHeap / 1048576.0);
                r.put("peak_heap_mb_query", peakQueryHeap / 1048576.0);
                r.put("peak_rss_mb", peakRssMb());
                r.put("loadavg_start", loadStart);
                r.put("loadavg_end", loadAverage());
                r.put("queries", queries.size());
                r.put("rounds", o.rounds);
                r.put("warmup", o.warmup);
                r.put("query_cache", o.queryCache);
                r.put("query_p50_ms", one.latency.p50);
                r.put("query_p90_ms", one.latency.p90);
                r.put("query_p99_ms", one.latency.p99);
                r.put("query_mean_ms", one.latency.mean);
                r.put("query_max_ms", one.latency.max);
                r.put("query_p50_ms_3facets", three.latency.p50);
                r.put("query_p90_ms_3facets", three.latency.p90);
                r.put("query_p99_ms_3facets", three.latency.p99);
                r.put("query_mean_ms_3facets", three.latency.mean);
                r.put("query_max_ms_3facets", three.latency.max);
                r.put("stored_fields_mean_ms", one.storedMeanMs);
                r.put("qps_1thread", one.qps);
                r.put("qps_1thread_3facets", three.qps);
                r.put("qps_threads", qpsThreads);
                r.put("qps_threads_3facets", qpsThreads3);
                r.put("threads", o.threads);
                r.put("hits_checksum", one.hits);
                r.put("year_facet_checksum", one.facets);
                r.put("facets3_checksum", three.facets);
                System.out.println();
                System.out.println("RESULT " + MiniJson.write(r));
            }
        }
    }

    /** --show-queries: each query as Lucene sees it, with its hit total and distinct testimonies. */
    static void showQueries(IndexSearcher searcher, Analyzer a, List<QuerySpec> qs) throws IOException {
        System.out.println();
        System.out.println("== queries as built ==");
        for (QuerySpec s : qs) {
            Query query = build(s, a);
            TopScoreDocCollector top = TopScoreDocCollector.create(1, Integer.MAX_VALUE);
            DistinctTestimonyFacets f = new DistinctTestimonyFacets(true);
            searcher.search(query, MultiCollector.wrap(top, f));
            f.finish();
            TopDocs td = top.topDocs();
            String best = td.scoreDocs.length == 0 ? "-" : searcher.doc(td.scoreDocs[0].doc).get("passage_id");
            System.out.printf("  %-8s %-4s hits %6d  testimonies %5d  best %-16s %s%n", s.id, s.lang, td.totalHits.value,
                    f.testimonies, best, query);
            Map<String, Integer> years = new java.util.TreeMap<>();
            for (int k = 0; k < f.yearCounts.length; k++)
                if (f.yearCounts[k] > 0) years.put(String.valueOf(k + DistinctTestimonyFacets.YEAR_BASE), f.yearCounts[k]);
            f.otherYearCounts.forEach((y, c) -> years.put(String.valueOf(y), c));
            System.out.println("           year " + years);
            System.out.println("           location " + new java.util.TreeMap<>(f.locationCounts));
            System.out.println("           violation " + new java.util.TreeMap<>(f.violationCounts));
        }
    }

    static void printLatency(String label, SinglePass p) {
        Latency l = p.latency;
        System.out.printf("  %-27s %8.3f %8.3f %8.3f %8.3f %8.3f %8.0f%n", label, l.p50, l.p90, l.p99, l.mean, l.max, p.qps);
    }

    /** 1-minute load average (Linux), to tell figures taken on a busy machine; null elsewhere. */
    static Double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Peak resident set of this JVM (VmHWM), including mapped index pages; null off Linux. */
    static Double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return null;
    }
}
