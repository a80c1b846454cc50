import Foundation

// JSON has no NaN or infinity, yet a diverged student's loss is one; every report, log and
// --json output writes them as the strings "nan", "inf" and "-inf" (as NumPy prints them), and
// reads them back the same way.

extension JSONEncoder.NonConformingFloatEncodingStrategy {
    public static var asStrings: Self { .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan") }
}

extension JSONDecoder.NonConformingFloatDecodingStrategy {
    public static var asStrings: Self { .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan") }
}
