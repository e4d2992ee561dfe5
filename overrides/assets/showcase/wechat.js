/*
 * 微信分享卡片。只有 mkdocs.yml 里设置了 showcase 插件的 wechat.signature_endpoint 时，页面才加载本文件。
 *
 * 在微信里打开时：加载本站自带的微信 JS-SDK（jweixin-1.6.0.js），向县里公众号后台的签名接口
 * 要本页地址的签名（GET 接口地址?url=本页地址，回答 JSON：appId、timestamp、nonceStr、signature），
 * 再把“发送给朋友”“分享到朋友圈”的卡片设为本页的标题、简介、网址和配图（取自 og: 元数据）。
 * 不在微信里时什么都不做，也不请求签名接口。
 */
(function (script) {
  "use strict"
  if (!script || !/MicroMessenger/i.test(navigator.userAgent)) return

  function meta(property) {
    var el = document.querySelector('meta[property="' + property + '"]')
    return el ? el.getAttribute("content") : ""
  }

  // 微信校验的是打开时的地址，不含 # 之后的部分
  var page = location.href.split("#")[0]
  var endpoint = script.getAttribute("data-endpoint")
  var signatureUrl =
    endpoint + (endpoint.indexOf("?") < 0 ? "?" : "&") + "url=" + encodeURIComponent(page)
  var card = {
    title: meta("og:title") || document.title,
    desc: meta("og:description"),
    link: meta("og:url") || page,
    imgUrl: meta("og:image")
  }

  function share(signature) {
    var wx = window.wx
    wx.config({
      debug: false,
      appId: signature.appId,
      timestamp: signature.timestamp,
      nonceStr: signature.nonceStr,
      signature: signature.signature,
      jsApiList: ["updateAppMessageShareData", "updateTimelineShareData"]
    })
    wx.ready(function () {
      wx.updateAppMessageShareData(card)
      wx.updateTimelineShareData({ title: card.title, link: card.link, imgUrl: card.imgUrl })
    })
  }

  function fetchSignature() {
    // XMLHttpRequest 而不是 fetch：老版本微信的内置浏览器也支持
    var xhr = new XMLHttpRequest()
    xhr.open("GET", signatureUrl)
    xhr.onload = function () {
      if (xhr.status !== 200) return // 没有签名，微信照常分享，只是卡片没有简介和配图
      try {
        share(JSON.parse(xhr.responseText))
      } catch (e) {}
    }
    xhr.send()
  }

  var sdk = document.createElement("script")
  sdk.src = script.getAttribute("data-sdk")
  sdk.onload = fetchSignature
  document.head.appendChild(sdk)
})(document.currentScript)
