"""Telling citizens: email through SES, text messages through SNS."""

from __future__ import annotations

from services.core.dal import aws


class Notifier:
    def __init__(self, sender: str):
        self.sender = sender

    def email(self, to: str, subject: str, body: str) -> str:
        answer = aws.client("ses").send_email(
            Source=self.sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
            },
        )
        return str(answer["MessageId"])

    def sms(self, phone: str, text: str) -> str:
        answer = aws.client("sns").publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        return str(answer["MessageId"])
