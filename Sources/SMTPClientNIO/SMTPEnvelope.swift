import SMTP

/// The sender and recipients of one message: what MAIL and RCPT carry (RFC 5321 §3.3).
public struct SMTPEnvelope: Hashable, Sendable {
    /// One RCPT command.
    public struct Recipient: Hashable, Sendable {
        public var address: SMTPRecipient
        public var parameters: [SMTPParameter]

        public init(_ address: SMTPRecipient, parameters: [SMTPParameter] = []) {
            self.address = address
            self.parameters = parameters
        }

        public init(_ mailbox: SMTPMailbox, parameters: [SMTPParameter] = []) {
            self.init(.mailbox(mailbox), parameters: parameters)
        }
    }

    /// `nil` is the null reverse-path `<>` of a bounce (RFC 5321 §4.5.5).
    public var sender: SMTPMailbox?
    public var mailParameters: SMTPMailParameters
    public var recipients: [Recipient]

    public init(
        sender: SMTPMailbox?,
        mailParameters: SMTPMailParameters = SMTPMailParameters(),
        recipients: [Recipient]
    ) {
        self.sender = sender
        self.mailParameters = mailParameters
        self.recipients = recipients
    }
}

/// What the server answered to each step of ``SMTPClientConnection/send(envelope:body:)``.
public struct SMTPDeliveryResult: Hashable, Sendable {
    /// The reply to one RCPT.
    public struct RecipientResult: Hashable, Sendable {
        public var recipient: SMTPEnvelope.Recipient
        public var reply: SMTPReply
    }

    public var mail: SMTPReply
    /// One result per recipient, in envelope order. Empty when MAIL was refused without pipelining.
    public var recipients: [RecipientResult]
    /// The reply to DATA; `nil` when DATA was not sent because MAIL or every RCPT was refused.
    public var data: SMTPReply?
    /// The reply to the end of data; `nil` when the message was not sent.
    public var message: SMTPReply?

    /// Whether the server took responsibility for the message (RFC 5321 §4.1.1.4: `250` after the
    /// final `.`) for at least one recipient.
    public var isDelivered: Bool {
        message?.isPositive == true && recipients.contains { $0.reply.isPositive }
    }

    /// The recipients the server accepted, and so the ones the message was delivered to when
    /// ``isDelivered``.
    public var acceptedRecipients: [SMTPEnvelope.Recipient] {
        recipients.filter { $0.reply.isPositive }.map(\.recipient)
    }
}
