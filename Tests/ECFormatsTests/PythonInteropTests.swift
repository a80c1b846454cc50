import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

/// Files written by NumPy and the reference safetensors implementation load with the exact
/// values, and files written here load in them with the exact values. Python with numpy and
/// safetensors must be available (scripts/setup.sh installs them); without it these tests fail.
@Suite struct PythonInteropTests {
    /// One array both sides build with `Fixture` / `vals`: a name, NumPy's descr, the logical
    /// element type and a shape.
    struct Case {
        var name: String
        var descr: String
        var dtype: TensorDType
        var shape: [Int]
    }

    static let littleEndian = [
        Case(name: "a_f4", descr: "<f4", dtype: .float32, shape: [3, 4]),
        Case(name: "a_f8", descr: "<f8", dtype: .float64, shape: [2, 3, 4]),
        Case(name: "a_u1", descr: "|u1", dtype: .uint8, shape: [300]),
        Case(name: "a_i4", descr: "<i4", dtype: .int32, shape: []),
        Case(name: "a_i8", descr: "<i8", dtype: .int64, shape: [0, 3]),
        Case(name: "b_i4", descr: "<i4", dtype: .int32, shape: [2, 3, 1, 2]),
    ]
    static let bigEndian = [
        Case(name: "c_f4", descr: ">f4", dtype: .float32, shape: [2, 5]),
        Case(name: "c_f8", descr: ">f8", dtype: .float64, shape: [3]),
        Case(name: "c_i4", descr: ">i4", dtype: .int32, shape: [4, 1]),
        Case(name: "c_i8", descr: ">i8", dtype: .int64, shape: [2, 2, 2]),
    ]

    /// The cases as a Python list of (name, descr, shape) tuples.
    static func python(_ cases: [Case]) -> String {
        "[" + cases.map { c in
            let shape = c.shape.count == 1 ? "(\(c.shape[0]),)" : "(" + c.shape.map(String.init).joined(separator: ", ") + ")"
            return "('\(c.name)', '\(c.descr)', \(shape))"
        }.joined(separator: ", ") + "]"
    }

    static func expected(_ c: Case) -> AnyTensor { Fixture.tensor(c.dtype, c.shape) }

    func expectIdentical(_ tensor: AnyTensor?, _ expected: AnyTensor, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let tensor else { Issue.record("\(what) is missing", sourceLocation: sourceLocation); return }
        #expect(identical(tensor, expected), "\(what): got \(tensor.dtypeName) \(tensor.shape)", sourceLocation: sourceLocation)
    }

    @Test func readsFilesWrittenByPython() throws {
        try withTemporaryDirectory { directory in
            runPython("""
                import sys, os, gzip, struct, zipfile, io
                from safetensors.numpy import save_file
                d = sys.argv[1]
                p = lambda name: os.path.join(d, name)
                little = \(Self.python(Self.littleEndian))
                big = \(Self.python(Self.bigEndian))
                tensors = {n: vals(s, t) for n, t, s in little}
                tensors.update(s_f4=specials(np.float32), s_f8=specials(np.float64))
                save_file(tensors, p('st.safetensors'), metadata={'activation': 'tanh', 'note': 'from python'})
                for n, t, s in little + big:
                    np.save(p(n + '.npy'), vals(s, t))
                    a = vals(s, t)
                    a = np.asfortranarray(a) if a.ndim > 1 else a   # asfortranarray would make a 0-d array 1-d
                    np.save(p(n + '_F.npy'), a)
                np.save(p('s_f4.npy'), specials(np.float32))
                np.save(p('s_f8.npy'), specials(np.float64))
                for version in [(2, 0), (3, 0)]:
                    with open(p('v%d.npy' % version[0]), 'wb') as f:
                        np.lib.format.write_array(f, vals((2, 3), '<f8'), version=version)
                everything = {n: vals(s, t) for n, t, s in little + big}
                np.savez(p('plain.npz'), **everything)
                np.savez_compressed(p('compressed.npz'), **everything)
                zipfile.ZIP64_LIMIT = 16   # ZIP64 extra fields in the central directory and ZIP64 end records
                np.savez(p('zip64.npz'), **everything)
                zipfile.ZIP64_LIMIT = (1 << 31) - 1
                buffer = io.BytesIO()
                np.save(buffer, np.zeros(2, dtype=np.complex128))
                with zipfile.ZipFile(p('complex.npz'), 'w') as z:
                    z.writestr('z.npy', buffer.getvalue())
                idx = struct.pack('>BBBB', 0, 0, 8, 3) + struct.pack('>III', 7, 5, 3) + vals((7, 5, 3), 'u1').tobytes()
                open(p('images-idx3-ubyte.gz'), 'wb').write(gzip.compress(idx))
                open(p('split-idx3-ubyte.gz'), 'wb').write(gzip.compress(idx[:50]) + gzip.compress(idx[50:]))
                fidx = struct.pack('>BBBB', 0, 0, 0x0E, 2) + struct.pack('>II', 4, 3) + vals((4, 3), '>f8').tobytes()
                open(p('floats.idx'), 'wb').write(fidx)
                save_file({'layers.0.weight': vals((4, 3), '<f4'), 'layers.0.bias': vals((4,), '<f4'),
                           'layers.1.weight': vals((2, 4), '<f4'), 'layers.1.bias': vals((2,), '<f4')},
                          p('network.safetensors'), metadata={'activation': 'relu'})
                np.savez_compressed(p('probe.npz'), x=vals((10, 3), '<f8'), y=vals((10, 2), '<f8'))
                """, arguments: [directory.path])
            let url = { (name: String) in directory.appendingPathComponent(name) }

            let st = try SafetensorsFile.read(from: url("st.safetensors"))
            #expect(st.metadata == ["activation": "tanh", "note": "from python"])
            for c in Self.littleEndian { expectIdentical(st[c.name], Self.expected(c), "st.safetensors \(c.name)") }
            expectIdentical(st["s_f4"], Fixture.specials(Float.self), "st.safetensors s_f4")
            expectIdentical(st["s_f8"], Fixture.specials(Double.self), "st.safetensors s_f8")

            for c in Self.littleEndian + Self.bigEndian {
                expectIdentical(try NPY.read(from: url(c.name + ".npy")), Self.expected(c), "\(c.name).npy")
                expectIdentical(try NPY.read(from: url(c.name + "_F.npy")), Self.expected(c), "\(c.name)_F.npy (Fortran order)")
            }
            expectIdentical(try NPY.read(from: url("s_f4.npy")), Fixture.specials(Float.self), "s_f4.npy")
            expectIdentical(try NPY.read(from: url("s_f8.npy")), Fixture.specials(Double.self), "s_f8.npy")
            for version in [2, 3] {
                expectIdentical(try NPY.read(from: url("v\(version).npy")), Fixture.tensor(.float64, [2, 3]), "v\(version).npy")
            }

            for name in ["plain.npz", "compressed.npz", "zip64.npz"] {
                let npz = try NPZFile.read(from: url(name))
                #expect(Set(npz.names) == Set((Self.littleEndian + Self.bigEndian).map(\.name)), "\(name)")
                for c in Self.littleEndian + Self.bigEndian { expectIdentical(npz[c.name], Self.expected(c), "\(name) \(c.name)") }
            }
            expectECError("complex.npz (entry z.npy): unsupported npy dtype '<c16'") { _ = try NPZFile.read(from: url("complex.npz")) }

            let images = Fixture.tensor(.uint8, [7, 5, 3])
            expectIdentical(try IDX.read(from: url("images-idx3-ubyte.gz")), images, "images-idx3-ubyte.gz")
            expectIdentical(try IDX.read(from: url("split-idx3-ubyte.gz")), images, "split-idx3-ubyte.gz (two gzip members)")
            expectIdentical(try IDX.read(from: url("floats.idx")), Fixture.tensor(.float64, [4, 3]), "floats.idx")

            let network = try Network<Float>.load(from: url("network.safetensors"))
            #expect(network.activation == .relu)
            #expect(network.widths == [3, 4, 2])
            #expect(network.layers[1].weight.scalars == Fixture.tensor(.float32, [2, 4]).scalars(as: Float.self))
            #expect(network.layers[0].bias == Fixture.tensor(.float32, [4]).scalars(as: Float.self))

            let probe = try ProbeSet<Double>.load(from: url("probe.npz"))
            #expect(probe.inputs == (try Fixture.tensor(.float64, [10, 3]).matrix(as: Double.self)))
            #expect(probe.targets == (try Fixture.tensor(.float64, [10, 2]).matrix(as: Double.self)))
        }
    }

    @Test func filesWrittenHereLoadInPython() throws {
        try withTemporaryDirectory { directory in
            let url = { (name: String) in directory.appendingPathComponent(name) }
            let named = Self.littleEndian.map { NamedTensor($0.name, Self.expected($0)) }
                + [NamedTensor("s_f4", Fixture.specials(Float.self)), NamedTensor("s_f8", Fixture.specials(Double.self))]
            try SafetensorsFile(tensors: named, metadata: ["activation": "gelu", "ünï": "✓"]).write(to: url("st.safetensors"))
            for tensor in named { try NPY.write(tensor.tensor, to: url(tensor.name + ".npy")) }
            try NPZFile(arrays: named).write(to: url("stored.npz"))
            try NPZFile(arrays: named).write(to: url("deflated.npz"), compression: .deflated)
            try NPZFile(arrays: named).write(to: url("zip64.npz"), compression: .deflated, forceZip64: true)

            func layer(_ outputs: Int, _ inputs: Int) throws -> DenseLayer<Double> {
                DenseLayer(weight: try Fixture.tensor(.float64, [outputs, inputs]).matrix(as: Double.self),
                           bias: Fixture.tensor(.float64, [outputs]).scalars(as: Double.self))
            }
            let network = try Network(activation: .gelu, layers: [layer(4, 3), layer(2, 4)], skip: layer(2, 3))
            try network.save(to: url("network.safetensors"), metadata: ["origin": "swift"])
            try network.save(to: url("network32.safetensors"), precision: .float32)
            try ProbeSet(inputs: Fixture.tensor(.float64, [10, 3]).matrix(as: Double.self),
                         targets: Fixture.tensor(.float64, [10, 2]).matrix(as: Double.self))
                .save(to: url("probe.npz"), compressed: true)

            runPython("""
                import sys, os, zipfile
                from safetensors.numpy import load_file
                from safetensors import safe_open
                d = sys.argv[1]
                p = lambda name: os.path.join(d, name)
                failures = []
                def check(got, want, what):
                    if got.dtype != want.dtype or got.shape != want.shape or \\
                       np.ascontiguousarray(got).tobytes() != np.ascontiguousarray(want).tobytes():
                        failures.append('%s: got %s %s %r, want %s %s %r' % (what, got.dtype, got.shape, got.ravel()[:6],
                                                                           want.dtype, want.shape, want.ravel()[:6]))
                little = \(Self.python(Self.littleEndian))
                expected = {n: vals(s, t) for n, t, s in little}
                expected.update(s_f4=specials(np.float32), s_f8=specials(np.float64))
                st = load_file(p('st.safetensors'))
                if set(st) != set(expected): failures.append('st.safetensors keys %s' % sorted(st))
                with safe_open(p('st.safetensors'), framework='np') as f:
                    if f.metadata() != {'activation': 'gelu', 'ünï': '✓'}: failures.append('metadata %r' % f.metadata())
                for name, want in expected.items():
                    if name in st: check(st[name], want, 'st.safetensors ' + name)
                    check(np.load(p(name + '.npy')), want, name + '.npy')
                for archive in ['stored.npz', 'deflated.npz', 'zip64.npz']:
                    with zipfile.ZipFile(p(archive)) as z:
                        bad = z.testzip()
                        if bad is not None: failures.append('%s: CRC error in %s' % (archive, bad))
                    with np.load(p(archive)) as npz:
                        if set(npz.files) != set(expected): failures.append('%s keys %s' % (archive, npz.files))
                        for name, want in expected.items():
                            if name in npz.files: check(npz[name], want, archive + ' ' + name)
                for file, dt in [('network.safetensors', '<f8'), ('network32.safetensors', '<f4')]:
                    net = load_file(p(file))
                    shapes = {'layers.0.weight': (4, 3), 'layers.0.bias': (4,), 'layers.1.weight': (2, 4),
                              'layers.1.bias': (2,), 'skip.weight': (2, 3), 'skip.bias': (2,)}
                    if set(net) != set(shapes): failures.append('%s keys %s' % (file, sorted(net)))
                    for name, shape in shapes.items():
                        if name in net: check(net[name], vals(shape, '<f8').astype(dt), file + ' ' + name)
                    with safe_open(p(file), framework='np') as f:
                        meta = f.metadata()
                        want = {'activation': 'gelu', 'origin': 'swift'} if dt == '<f8' else {'activation': 'gelu'}
                        if meta != want: failures.append('%s metadata %r' % (file, meta))
                with np.load(p('probe.npz')) as probe:
                    check(probe['x'], vals((10, 3), '<f8'), 'probe x')
                    check(probe['y'], vals((10, 2), '<f8'), 'probe y')
                if failures:
                    print('\\n'.join(failures))
                    sys.exit(1)
                """, arguments: [directory.path])
        }
    }
}
