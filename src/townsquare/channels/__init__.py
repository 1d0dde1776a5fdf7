"""Channel adapters: each translates one provider's wire format to and from the engagement pipeline's messages.

An adapter checks the provider's signature, parses its fields, hands an `InboundMessage` to the pipeline and
answers in the provider's format (TwiML, SMTP replies, websocket frames). It decides nothing about the
citizen, the case or the queue; that is the pipeline's job.
"""
