// The build passed (compile and test); also check that the plugin generated what the user code relies on.
def generated = new File(basedir, 'target/generated-sources/ferrule')
[
    'io/opentelemetry/proto/trace/v1/ferrule/Span.java',
    'io/opentelemetry/proto/trace/v1/ferrule/TraceProto.java',
    'io/opentelemetry/proto/common/v1/ferrule/KeyValue.java',
    'io/opentelemetry/proto/resource/v1/ferrule/Resource.java',
].each { path ->
    def file = new File(generated, path)
    assert file.isFile() : "not generated: ${file}"
    assert file.text.contains('package ') : "empty: ${file}"
}
assert new File(basedir, 'target/classes/com/example/spans/SpanDigest.class').isFile()
def report = new File(basedir, 'target/surefire-reports/TEST-com.example.spans.SpanDigestTest.xml')
assert report.isFile() : 'the user project\'s test did not run'
assert report.text.contains('tests="1"') && report.text.contains('failures="0"') && report.text.contains('errors="0"')
return true
