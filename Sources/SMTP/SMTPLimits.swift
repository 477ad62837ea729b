/// Size limits from RFC 5321 §4.5.3.1 and RFC 4954 §4.
public enum SMTPLimits {
    /// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including the CRLF.
    public static let commandLineLength = 512
    /// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including the CRLF.
    public static let replyLineLength = 512
    /// RFC 5321 §4.5.3.1.6: a text line in DATA is at most 1000 octets including the CRLF
    /// (not counting a dot added for transparency).
    public static let textLineLength = 1000
    /// RFC 4954 §4: servers must accept AUTH command lines (and SASL responses) of up to
    /// 12288 octets, because an initial response does not fit into 512.
    public static let authLineLength = 12288
}
