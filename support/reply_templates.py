"""The reply templates every store starts with, in each buyer marketplace language the inbox answers in.

Placeholders: ``{buyer_name}``, ``{order_id}``, ``{tracking_url}`` (see ``support.templates_fill``).
"""

from __future__ import annotations

#: name → language → body. The names stay English: they are the agent's labels, the bodies the buyer's text.
DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "Where is my order": {
        "en": "Hello {buyer_name},\n\nthank you for your message about order {order_id}. Your parcel is on its "
              "way; you can follow it here: {tracking_url}\n\nIf it has not arrived by the delivery date, please "
              "write to us again and we will make it right.\n\nKind regards",
        "de": "Hallo {buyer_name},\n\nvielen Dank für Ihre Nachricht zu Bestellung {order_id}. Ihr Paket ist "
              "unterwegs; hier können Sie die Sendung verfolgen: {tracking_url}\n\nSollte es bis zum "
              "Liefertermin nicht ankommen, schreiben Sie uns bitte erneut, wir finden eine Lösung.\n\n"
              "Freundliche Grüße",
        "fr": "Bonjour {buyer_name},\n\nmerci pour votre message concernant la commande {order_id}. Votre colis "
              "est en route ; vous pouvez le suivre ici : {tracking_url}\n\nS'il n'est pas arrivé à la date de "
              "livraison prévue, écrivez-nous à nouveau et nous trouverons une solution.\n\nCordialement",
        "it": "Gentile {buyer_name},\n\ngrazie per il suo messaggio sull'ordine {order_id}. Il pacco è in "
              "viaggio; può seguirlo qui: {tracking_url}\n\nSe non dovesse arrivare entro la data di consegna, "
              "ci scriva di nuovo e troveremo una soluzione.\n\nCordiali saluti",
        "es": "Hola {buyer_name}:\n\ngracias por su mensaje sobre el pedido {order_id}. Su paquete está en "
              "camino; puede seguirlo aquí: {tracking_url}\n\nSi no ha llegado en la fecha de entrega, "
              "escríbanos de nuevo y lo solucionaremos.\n\nUn saludo",
        "ja": "{buyer_name}様\n\nご注文 {order_id} についてお問い合わせいただき、ありがとうございます。"
              "商品は発送済みで、こちらから配送状況をご確認いただけます：{tracking_url}\n\n"
              "お届け予定日を過ぎても届かない場合は、再度ご連絡ください。責任を持って対応いたします。\n\n"
              "よろしくお願いいたします。",
    },
    "Delay apology": {
        "en": "Hello {buyer_name},\n\nwe are sorry that order {order_id} is taking longer than planned. The "
              "carrier's latest status is here: {tracking_url}\n\nWe are watching the shipment and will write to "
              "you as soon as it moves.\n\nKind regards",
        "de": "Hallo {buyer_name},\n\nes tut uns leid, dass Bestellung {order_id} länger braucht als geplant. "
              "Den aktuellen Status des Versanddienstleisters finden Sie hier: {tracking_url}\n\nWir behalten "
              "die Sendung im Blick und melden uns, sobald sie sich bewegt.\n\nFreundliche Grüße",
        "fr": "Bonjour {buyer_name},\n\nnous sommes désolés que la commande {order_id} prenne plus de temps que "
              "prévu. Le dernier statut du transporteur est ici : {tracking_url}\n\nNous suivons l'envoi et vous "
              "écrirons dès qu'il avance.\n\nCordialement",
        "it": "Gentile {buyer_name},\n\nci scusiamo per il ritardo dell'ordine {order_id}. L'ultimo stato del "
              "corriere è qui: {tracking_url}\n\nSeguiamo la spedizione e le scriveremo appena si muove.\n\n"
              "Cordiali saluti",
        "es": "Hola {buyer_name}:\n\nsentimos que el pedido {order_id} esté tardando más de lo previsto. El "
              "último estado del transportista está aquí: {tracking_url}\n\nEstamos siguiendo el envío y le "
              "escribiremos en cuanto avance.\n\nUn saludo",
        "ja": "{buyer_name}様\n\nご注文 {order_id} のお届けが遅れており、誠に申し訳ございません。"
              "配送業者の最新状況はこちらです：{tracking_url}\n\n"
              "引き続き配送状況を確認し、動きがあり次第ご連絡いたします。\n\nよろしくお願いいたします。",
    },
    # Written to the buyer before they ask (the deliveries at risk: ``support.delivery_risk_services``).
    "Delivery at risk": {
        "en": "Hello {buyer_name},\n\nwe are following your order {order_id} closely: the carrier has not "
              "reported progress on your parcel as we expected. You can see its latest status here: "
              "{tracking_url}\n\nWe have asked the carrier about it and will write to you again as soon as we "
              "know more. If it does not arrive in time, we will send a replacement or refund you.\n\n"
              "Kind regards",
        "de": "Hallo {buyer_name},\n\nwir verfolgen Ihre Bestellung {order_id} genau: Der Versanddienstleister "
              "hat zu Ihrem Paket nicht wie erwartet Fortschritte gemeldet. Den aktuellen Status finden Sie hier: "
              "{tracking_url}\n\nWir haben beim Versanddienstleister nachgefragt und melden uns, sobald wir mehr "
              "wissen. Sollte das Paket nicht rechtzeitig ankommen, senden wir Ersatz oder erstatten Ihnen den "
              "Betrag.\n\nFreundliche Grüße",
        "fr": "Bonjour {buyer_name},\n\nnous suivons de près votre commande {order_id} : le transporteur n'a pas "
              "signalé d'avancée de votre colis comme prévu. Son dernier statut est ici : {tracking_url}\n\n"
              "Nous avons interrogé le transporteur et vous écrirons dès que nous en saurons plus. S'il n'arrive "
              "pas à temps, nous vous enverrons un remplacement ou vous rembourserons.\n\nCordialement",
        "it": "Gentile {buyer_name},\n\nstiamo seguendo da vicino il suo ordine {order_id}: il corriere non ha "
              "segnalato progressi del pacco come previsto. L'ultimo stato è qui: {tracking_url}\n\n"
              "Abbiamo contattato il corriere e le scriveremo appena sapremo di più. Se non dovesse arrivare in "
              "tempo, le invieremo un sostituto o la rimborseremo.\n\nCordiali saluti",
        "es": "Hola {buyer_name}:\n\nestamos siguiendo de cerca su pedido {order_id}: el transportista no ha "
              "informado del avance de su paquete como esperábamos. Su último estado está aquí: "
              "{tracking_url}\n\nHemos consultado al transportista y le escribiremos en cuanto sepamos más. Si "
              "no llega a tiempo, le enviaremos un reemplazo o le reembolsaremos.\n\nUn saludo",
        "ja": "{buyer_name}様\n\nご注文 {order_id} の配送状況を確認しておりますが、配送業者からの更新が"
              "予定どおり届いておりません。最新の状況はこちらでご確認いただけます：{tracking_url}\n\n"
              "現在、配送業者に確認中です。詳細が分かり次第、改めてご連絡いたします。"
              "期日までに届かない場合は、代替品の発送または返金にて対応いたします。\n\n"
              "よろしくお願いいたします。",
    },
    "Return instructions": {
        "en": "Hello {buyer_name},\n\nwe are sorry the item from order {order_id} did not suit you. Please "
              "open Your Orders on Amazon, choose \"Return or replace items\" and follow the steps; Amazon will "
              "give you the return label. We refund as soon as the item is back.\n\nKind regards",
        "de": "Hallo {buyer_name},\n\nes tut uns leid, dass der Artikel aus Bestellung {order_id} nicht passt. "
              "Bitte öffnen Sie bei Amazon \"Meine Bestellungen\", wählen Sie \"Artikel zurücksenden oder "
              "ersetzen\" und folgen Sie den Schritten; Amazon stellt Ihnen das Rücksendeetikett bereit. Wir "
              "erstatten, sobald der Artikel bei uns ist.\n\nFreundliche Grüße",
        "fr": "Bonjour {buyer_name},\n\nnous sommes désolés que l'article de la commande {order_id} ne vous "
              "convienne pas. Ouvrez \"Vos commandes\" sur Amazon, choisissez \"Retourner ou remplacer des "
              "articles\" et suivez les étapes ; Amazon vous fournira l'étiquette de retour. Nous remboursons dès "
              "réception de l'article.\n\nCordialement",
        "it": "Gentile {buyer_name},\n\nci dispiace che l'articolo dell'ordine {order_id} non sia adatto. Apra "
              "\"I miei ordini\" su Amazon, scelga \"Restituisci o sostituisci articoli\" e segua i passaggi; "
              "Amazon le fornirà l'etichetta di reso. Rimborsiamo appena l'articolo ci arriva.\n\n"
              "Cordiali saluti",
        "es": "Hola {buyer_name}:\n\nsentimos que el artículo del pedido {order_id} no le convenga. Abra \"Mis "
              "pedidos\" en Amazon, elija \"Devolver o reemplazar productos\" y siga los pasos; Amazon le dará la "
              "etiqueta de devolución. Reembolsamos en cuanto recibamos el artículo.\n\nUn saludo",
        "ja": "{buyer_name}様\n\nご注文 {order_id} の商品がご期待に沿えず、申し訳ございません。"
              "Amazonの「注文履歴」から「商品の返品・交換」を選び、手順に沿ってお手続きください。"
              "返品ラベルはAmazonから発行されます。商品の到着を確認後、速やかに返金いたします。\n\n"
              "よろしくお願いいたします。",
    },
}

LANGUAGES = ("en", "de", "fr", "it", "es", "ja")
