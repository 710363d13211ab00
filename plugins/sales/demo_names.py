"""The words the demo company is made of (plugins/sales/demo_company.py): Spanish and British
people, trades, towns and the phrases a sales team writes. Data only."""

from __future__ import annotations

FIRST_NAMES = {
    "es": ("Carmen", "Javier", "Lucía", "Antonio", "María", "Manuel", "Laura", "David", "Elena", "Francisco",
           "Isabel", "José", "Marta", "Alejandro", "Pilar", "Sergio", "Cristina", "Pablo", "Rocío", "Álvaro",
           "Nuria", "Raúl", "Beatriz", "Diego", "Silvia", "Íñigo", "Ainhoa", "Jordi", "Montserrat", "Andrés"),
    "en": ("Oliver", "Amelia", "George", "Isla", "Harry", "Emily", "Jack", "Sophie", "Thomas", "Charlotte",
           "James", "Grace", "William", "Lucy", "Henry", "Hannah", "Daniel", "Chloe", "Samuel", "Megan"),
}

LAST_NAMES = {
    "es": ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
           "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro",
           "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Serrano", "Blanco", "Molina", "Castro", "Ortega",
           "Delgado", "Iglesias", "Etxeberria", "Puig", "Ferrer", "Soler", "Vidal"),
    "en": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
           "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
           "Hughes", "Edwards", "Turner", "Harris"),
}

COMPANY_WORDS = {
    "es": {
        "patterns": ("{trade} {last} {form}", "{trade} del {place} {form}", "{last} e Hijos {form}",
                     "Grupo {last} {form}", "{trade} {place} {form}"),
        "trades": ("Ferretería", "Distribuciones", "Construcciones", "Talleres", "Panadería", "Transportes",
                   "Hostelería", "Suministros", "Carpintería", "Climatización", "Electricidad", "Farmacia",
                   "Bodegas", "Conservas", "Textiles", "Gestoría", "Imprenta", "Reformas", "Frutas", "Librería"),
        "places": ("Norte", "Sur", "Levante", "Mediterráneo", "Cantábrico", "Ebro", "Tajo", "Atlántico", "Centro",
                   "Valle", "Puerto", "Sierra"),
        "forms": ("S.L.", "S.L.", "S.A.", "S.L.U.", "S.C."),
        "streets": ("Calle Mayor", "Avenida de la Constitución", "Calle Real", "Paseo de Gracia", "Calle Alcalá",
                    "Avenida del Puerto", "Polígono Industrial, nave", "Calle San Vicente"),
    },
    "en": {
        "patterns": ("{last} {trade} {form}", "{place} {trade} {form}", "{last} & {last2} {form}",
                     "{place} {trade}"),
        "trades": ("Traders", "Foods", "Logistics", "Engineering", "Interiors", "Supplies", "Hospitality",
                   "Printing", "Builders", "Electrical", "Packaging", "Motors", "Bakery", "Textiles"),
        "places": ("Northwind", "Riverside", "Harbour", "Westfield", "Kingsway", "Oakwood", "Pennine", "Thames",
                   "Highland", "Greenfield", "Bluebell", "Castle"),
        "forms": ("Ltd", "Ltd", "plc", "LLP"),
        "streets": ("High Street", "Station Road", "Church Lane", "Victoria Road", "Market Street", "Mill Lane"),
    },
}

CITIES = {
    "ES": ("Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao", "Alicante", "Murcia",
           "Palma", "Valladolid", "Vigo", "Gijón", "Granada", "Pamplona", "Santander", "Córdoba", "Salamanca"),
    "GB": ("London", "Manchester", "Leeds", "Bristol", "York", "Birmingham", "Liverpool", "Sheffield",
           "Nottingham", "Edinburgh", "Cardiff", "Brighton"),
}

POSITIONS = {
    "es": ("Gerente", "Compras", "Dirección financiera", "Administración", "Jefe de almacén", "Dirección comercial",
           "Recepción", "Mantenimiento"),
    "en": ("Managing director", "Buyer", "Finance director", "Office manager", "Warehouse manager",
           "Head of sales", "Operations manager"),
}

SOURCES = {
    "es": ("web", "feria", "llamada", "recomendación", "campaña", "redes sociales"),
    "en": ("web", "trade fair", "cold call", "referral", "campaign", "social media"),
}

OPPORTUNITY_NAMES = {
    "es": ("Renovación contrato anual", "Ampliación de pedido", "Equipamiento nueva tienda", "Suministro trimestral",
           "Mantenimiento preventivo", "Cambio de proveedor", "Proyecto de reforma", "Pedido de temporada",
           "Licencias adicionales", "Instalación llave en mano"),
    "en": ("Annual contract renewal", "New store fit-out", "Quarterly supply", "Maintenance plan",
           "Provider change", "Seasonal order", "Additional licences", "Turnkey installation"),
}

WON_REASONS = ("Precio y plazo aceptados", "Best delivery terms", "Buena relación previa", "Won on service quality",
               "Oferta conjunta con instalación")
LOST_REASONS = ("Chose a cheaper competitor", "Sin presupuesto este año", "Project postponed",
                "Eligieron al proveedor habitual", "No decision maker reached")
DISQUALIFY_REASONS = ("Sin presupuesto este año / no budget this year", "Fuera de nuestra zona / outside our area",
                      "Datos de contacto erróneos / wrong contact details", "Duplicado / duplicate")

NOTES = {
    "es": ("Llamada con el cliente: quiere la oferta revisada antes del viernes.",
           "Visita a sus instalaciones; buena impresión, piden referencias.",
           "Pendiente de la aprobación de la dirección.",
           "Enviado catálogo actualizado y tarifa 2026.",
           "Prefiere que le llamemos por la mañana."),
    "en": ("Call with the customer: wants the revised offer before Friday.",
           "Site visit went well; they asked for references.",
           "Waiting for the board's approval.",
           "Sent the updated catalogue and price list.",
           "Prefers calls in the morning."),
}
